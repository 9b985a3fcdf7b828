// Helpers for the CUDA-vs-CPU tests (llm.c's validate_result): the same
// operand layouts built on either device, and a comparison of a CUDA result
// with the CPU kernel's. Every CUDA test starts with SKIP_WITHOUT_CUDA().
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "tensor/ops.h"
#include "tensor/random.h"

namespace tensor_test {

#define SKIP_WITHOUT_CUDA() \
  if (!tensor::cuda_available()) GTEST_SKIP() << "no CUDA device"

// An operand of shape (4, 6) viewed from a base tensor of base_shape: the
// view is applied to the base on each device, so both see the same strides.
struct Layout {
  std::string name;
  tensor::Shape base_shape;
  std::function<tensor::Tensor(const tensor::Tensor&)> view;
};

inline std::vector<Layout> layouts_4x6() {
  using tensor::Tensor;
  return {
      {"contiguous", {4, 6}, [](const Tensor& b) { return b; }},
      {"transposed", {6, 4}, [](const Tensor& b) { return b.t(); }},
      {"narrowed", {5, 9}, [](const Tensor& b) { return b.narrow(0, 1, 4).narrow(1, 2, 6); }},
      {"broadcast row",
       {6},
       [](const Tensor& b) {
         return b.expand({4, 6});
       }},
      {"broadcast column",
       {4, 1},
       [](const Tensor& b) {
         return b.expand({4, 6});
       }},
      {"3-d permuted slice",
       {2, 6, 3, 4},
       [](const Tensor& b) {
         return b.select(2, 1).permute({2, 1, 0}).select(2, 1);
       }},
  };
}

// Base values on the CPU: normal, or uniform in [lo, lo + 1) when positive domains are needed.
inline tensor::Tensor base_values(const tensor::Shape& shape, tensor::DType dtype, uint64_t seed, double lo = NAN) {
  tensor::Generator gen(seed);
  if (std::isnan(lo)) return tensor::randn(shape, gen, dtype);
  return tensor::add(tensor::rand(shape, gen, dtype), lo);
}

// The CUDA result equals the CPU one within atol + rtol |cpu| everywhere
// (NaN matches NaN; infinities must match exactly).
inline void expect_close(const tensor::Tensor& cuda_result, const tensor::Tensor& cpu_result, double rtol, double atol,
                         const std::string& what) {
  ASSERT_EQ(cuda_result.device(), tensor::Device::CUDA) << what;
  ASSERT_EQ(cuda_result.shape(), cpu_result.shape()) << what;
  ASSERT_EQ(cuda_result.dtype(), cpu_result.dtype()) << what;
  const std::vector<double> got = cuda_result.to_vector<double>(), want = cpu_result.to_vector<double>();
  int reported = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const bool same = (std::isnan(got[i]) && std::isnan(want[i])) || got[i] == want[i] ||
                      std::abs(got[i] - want[i]) <= atol + rtol * std::abs(want[i]);
    if (!same && reported++ < 5) ADD_FAILURE() << what << ": element " << i << " cuda " << got[i] << " cpu " << want[i];
  }
}

// Tolerances for a CUDA kernel against the CPU's in a dtype: library
// functions (exp, erf, pow) differ by a few ulp between the two, and an
// ulp of erf(x) near 1 is large next to the 1 + erf(x) of gelu at x = -3.
inline double rtol_for(tensor::DType dtype) { return dtype == tensor::DType::Float32 ? 2e-6 : 1e-13; }
inline double atol_for(tensor::DType dtype) { return dtype == tensor::DType::Float32 ? 1e-6 : 1e-14; }

}  // namespace tensor_test
