// Comparing our float32 results with PyTorch's golden values.
// Tolerance (float32): |ours - torch| <= atol + rtol * |torch| elementwise,
// with rtol = 1e-5 and atol = 1e-5 * max|torch| over the tensor (an absolute
// floor scaled to the tensor, since sums of many float32 terms in a different
// order differ by rounding relative to their magnitude, not to each result).
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "tensor/format.h"
#include "tensor/tensor.h"

struct Compared {
  double max_abs_error = 0;   // max |ours - torch|
  double max_rel_error = 0;   // max |ours - torch| / max|torch|
  bool ok = true;
};

inline Compared compare_to_torch(const std::string& what, const tensor::Tensor& ours, const tensor::Tensor& torch,
                                 double rtol = 1e-5) {
  Compared c;
  EXPECT_EQ(ours.shape(), torch.shape()) << what;
  if (ours.shape() != torch.shape()) return c.ok = false, c;
  const auto a = ours.to_vector<double>(), b = torch.to_vector<double>();
  double scale = 0;
  for (double v : b) scale = std::max(scale, std::abs(v));
  const double atol = rtol * std::max(scale, 1e-30);
  size_t worst = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double err = std::abs(a[i] - b[i]);
    if (err > c.max_abs_error) c.max_abs_error = err, worst = i;
    if (!(err <= atol + rtol * std::abs(b[i]))) c.ok = false;
  }
  c.max_rel_error = c.max_abs_error / std::max(scale, 1e-30);
  EXPECT_TRUE(c.ok) << what << ": max |error| " << c.max_abs_error << " at element " << worst << " (ours "
                    << a[worst] << ", torch " << b[worst] << "), max|torch| " << scale;
  return c;
}
