// Helpers for the CUDA tests, which check each CUDA kernel against the CPU
// kernel on the same inputs (the CPU kernel is the spec, as in llm.c's
// validate_result). Every CUDA test starts with DIFFUSE_REQUIRE_CUDA(): it
// skips, rather than fails, in a build without CUDA or on a machine without a GPU.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "tensor/device.h"
#include "tensor/tensor.h"

#define DIFFUSE_REQUIRE_CUDA() \
  if (!::tensor::cuda_available()) GTEST_SKIP() << "no CUDA device"

namespace cuda_test {

inline tensor::Tensor on_cuda(const tensor::Tensor& t) { return t.to(tensor::Device::CUDA); }

// Passes when `cuda` is a CUDA tensor with `cpu`'s shape and dtype and every
// element satisfies |cuda - cpu| <= atol + rtol * |cpu|; otherwise names the
// worst element. atol = rtol = 0 asks for the same floats.
inline ::testing::AssertionResult close(const tensor::Tensor& cuda, const tensor::Tensor& cpu, double atol,
                                        double rtol) {
  if (cuda.device() != tensor::Device::CUDA) return ::testing::AssertionFailure() << "the result is not on CUDA";
  if (cuda.shape() != cpu.shape() || cuda.dtype() != cpu.dtype())
    return ::testing::AssertionFailure() << "CUDA gives " << tensor::shape_str(cuda.shape()) << " "
                                         << tensor::dtype_name(cuda.dtype()) << ", CPU "
                                         << tensor::shape_str(cpu.shape()) << " " << tensor::dtype_name(cpu.dtype());
  const std::vector<double> got = cuda.to(tensor::Device::CPU).to_vector<double>(), want = cpu.to_vector<double>();
  double worst_excess = 0;
  size_t worst = 0;
  bool ok = true;
  for (size_t i = 0; i < got.size(); ++i) {
    const double excess = std::abs(got[i] - want[i]) - (atol + rtol * std::abs(want[i]));
    if (!(excess <= 0) && (ok || excess > worst_excess || std::isnan(excess))) {
      ok = false;
      worst_excess = excess;
      worst = i;
    }
  }
  if (ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "element " << worst << " of " << got.size() << ": CUDA " << got[worst]
                                       << ", CPU " << want[worst] << " (atol " << atol << ", rtol " << rtol << ")";
}

// A way to lay out an operand, applied to the same base data on both devices.
struct Layout {
  std::string name;
  std::function<tensor::Tensor(const tensor::Tensor&)> view;
};

}  // namespace cuda_test
