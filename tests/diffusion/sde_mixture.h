// The 2-D Gaussian mixture that the SDE, PC and PF-ODE tests sample with the
// exact oracle eps* (docs/math.md section 10), and the sliced-Wasserstein noise
// floor their thresholds are stated against (Note [SDE SWD threshold]).
#pragma once
#include <cstdint>

#include "diffusion/metrics.h"
#include "diffusion/oracle.h"
#include "tensor/random.h"

namespace diffusion::sde_test {

// Shapes: n points in d = 2 dimensions, K = 3 components.

// Three well-separated components of unequal weight and width, at the scale
// of the VP prior N(0, I): a sampler that loses a mode, shifts a mean or
// gets a width wrong is visible in both the fit and the SWD.
inline GaussianMixture mixture() {
  return make_gaussian_mixture({{-2.0, -1.0}, {2.0, -1.0}, {0.0, 2.0}}, {0.3, 0.5, 0.4}, {0.5, 0.3, 0.2});
}

// 10,000 points: the mixture-weight error of a perfect sampler has standard
// error sqrt(0.25 / 10000) = 0.005, so the 0.02 tolerance is 4 standard
// errors; the component means have standard errors below 0.01 (0.05 is > 5).
constexpr int64_t kSamples = 10000;
constexpr int64_t kDirections = 128;  // L of (11.1)
constexpr uint64_t kSwdSeed = 11;     // one set of directions for every SWD here

inline Tensor data_samples(uint64_t seed, int64_t n = kSamples) {
  tensor::Generator gen(seed);
  return sample_mixture(mixture(), n, gen);
}

// Note [SDE SWD threshold] (the same reasoning as Note [SWD threshold] in
// sampler_test.cpp, at n = 10,000): an exact sampler's n points are another
// draw of n points from the mixture, so their SWD to the reference set is
// distributed like the SWD between two independent true sets, the noise
// floor (about 0.02 at n = 10,000; it scales like 1/sqrt(n)). We measure the
// floor here as the mean over 4 independent pairs and accept a sampler at
// twice it: room for the floor's own spread (single pairs vary by about 25%
// around the mean) and for a discretization bias smaller than the sampling
// noise, and no more. Prior noise is about 35 floors away and a 10-step
// Euler-Maruyama about 9, so the tests can fail.
inline double swd_noise_floor(int64_t n = kSamples, int pairs = 4) {
  double total = 0;
  for (int i = 0; i < pairs; ++i) {
    total += sliced_wasserstein(data_samples(1000 + 2 * i, n), data_samples(1001 + 2 * i, n), kDirections, kSwdSeed);
  }
  return total / pairs;
}
// The floor at kSamples, computed once per process (it is deterministic).
inline double swd_noise_floor_cached() {
  static const double floor = swd_noise_floor();
  return floor;
}
constexpr double kSwdFactor = 2.0;

}  // namespace diffusion::sde_test

#include <gtest/gtest.h>

#include "tensor/ops.h"

namespace diffusion::sde_test {

// Note [Single-threaded oracle tests]: the oracle's ops are small (10,000 x 3
// elements), where OpenMP start-up costs more than it saves, and on a loaded
// machine a spinning second thread makes them 20x slower. These fixtures run
// single-threaded and restore the count; results are the same bit for bit
// with any thread count (Note [Philox streams] in tensor/philox.h).
class SingleThreaded : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_threads_ = tensor::get_num_threads();
    tensor::set_num_threads(1);
  }
  void TearDown() override { tensor::set_num_threads(saved_threads_); }

 private:
  int saved_threads_ = 1;
};

}  // namespace diffusion::sde_test
