// Helpers for the end-to-end tests of the `diffuse` command: run it in
// process with an argument list, check the one-line error contract, and
// write the small Gaussian-mixture file the oracle tests share.
#pragma once
#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "apps/cli.h"
#include "tensor/tensor.h"

namespace apps_test {

struct Result {
  int status;
  std::string out, err;
};

inline Result diffuse(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  const int status = apps::run_cli(args, out, err);
  return {status, out.str(), err.str()};
}

// Exit status 2 and exactly one line on stderr that contains `fragment`.
inline void expect_fails_with(const std::vector<std::string>& args, const std::string& fragment) {
  const Result r = diffuse(args);
  std::string joined;
  for (const auto& a : args) joined += a + " ";
  EXPECT_EQ(r.status, 2) << joined;
  EXPECT_NE(r.err.find(fragment), std::string::npos) << joined << "\nstderr: " << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "not one line: " << r.err;
}

inline bool all_finite(const tensor::Tensor& x) {
  for (float v : x.to_vector<float>())
    if (!std::isfinite(v)) return false;
  return true;
}

// Two well separated components. For Analytic-DPM this matters: beta and
// beta-tilde are both far from the optimal variance here, so its gains at
// K = 10 are large.
inline void write_gmm(const std::string& path) {
  std::ofstream(path) << R"({"means": [[-2, 0], [2, 1]], "stds": [0.3, 0.5], "weights": [0.3, 0.7]})";
}

}  // namespace apps_test
