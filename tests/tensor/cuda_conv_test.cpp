// CUDA conv2d (im2col + cuBLAS) against the CPU kernel on the same inputs:
// forward with and without bias, the input and weight gradients; 3x3 with
// padding, strided, non-square, 1x1 (no im2col), a kernel as large as the
// padded input, a non-contiguous input, and a batch large enough to go
// through in several chunks (the weight gradient then accumulates over them).
// Tolerance: |cuda - cpu| <= tol * sqrt(C*KH*KW) (the summation length), tol
// 2e-5 for float32 and 1e-13 for float64; inputs ~ N(0, 1).
#include <gtest/gtest.h>

#include <cmath>

#include "cuda_compare.h"
#include "tensor/ops.h"
#include "tensor/random.h"

using namespace tensor;
using tensor_test::expect_close;

namespace {
Tensor on_cuda(const Tensor& t) { return t.to(Device::CUDA); }

struct ConvCase {
  int64_t N, C, H, W, O, KH, KW, stride, padding;
};

double tolerance(DType dtype, int64_t length) {
  return (dtype == DType::Float32 ? 2e-5 : 1e-13) * std::sqrt(static_cast<double>(length));
}

void expect_conv_matches(const ConvCase& c, DType dt, bool with_bias, uint64_t seed) {
  Generator gen(seed);
  const Tensor x = randn({c.N, c.C, c.H, c.W}, gen, dt), w = randn({c.O, c.C, c.KH, c.KW}, gen, dt);
  const Tensor bias = with_bias ? randn({c.O}, gen, dt) : Tensor();
  const Tensor out = conv2d(x, w, bias, c.stride, c.padding);
  const Tensor grad_out = randn(out.shape(), gen, dt);
  const std::string what = fmt::format("x {} w {} stride {} padding {} bias {} {}", shape_str(x.shape()),
                                       shape_str(w.shape()), c.stride, c.padding, with_bias, dtype_name(dt));
  const Tensor x_cuda = on_cuda(x), w_cuda = on_cuda(w), g_cuda = on_cuda(grad_out);
  expect_close(conv2d(x_cuda, w_cuda, with_bias ? on_cuda(bias) : Tensor(), c.stride, c.padding), out, 0,
               tolerance(dt, c.C * c.KH * c.KW), (::testing::Message() << "forward, " << what).GetString());
  expect_close(conv2d_backward_input(g_cuda, w_cuda, x.shape(), c.stride, c.padding),
               conv2d_backward_input(grad_out, w, x.shape(), c.stride, c.padding), 0, tolerance(dt, c.O * c.KH * c.KW),
               (::testing::Message() << "input gradient, " << what).GetString());
  expect_close(conv2d_backward_weight(g_cuda, x_cuda, w.shape(), c.stride, c.padding),
               conv2d_backward_weight(grad_out, x, w.shape(), c.stride, c.padding), 0,
               tolerance(dt, c.N * out.size(2) * out.size(3)),
               (::testing::Message() << "weight gradient, " << what).GetString());
}

class CudaConv2d : public ::testing::TestWithParam<DType> {};

TEST_P(CudaConv2d, MatchesCpuAcrossGeometries) {
  SKIP_WITHOUT_CUDA();
  const DType dt = GetParam();
  const ConvCase cases[] = {
      {3, 4, 9, 7, 5, 3, 3, 1, 1},      // 3x3 "same"
      {2, 3, 11, 8, 4, 3, 3, 2, 1},     // strided, as the U-Net's downsampling
      {2, 5, 10, 9, 6, 2, 4, 3, 0},     // non-square kernel, stride 3, no padding
      {3, 6, 7, 7, 4, 1, 1, 1, 0},      // 1x1: no im2col
      {2, 4, 6, 6, 3, 1, 1, 2, 0},      // 1x1 strided: im2col again
      {2, 2, 3, 4, 3, 5, 6, 1, 1},      // kernel as large as the padded input: one output pixel
      {4, 16, 28, 28, 32, 3, 3, 1, 1},  // a U-Net layer at 28x28
  };
  uint64_t seed = 100;
  for (const ConvCase& c : cases)
    for (bool bias : {true, false}) expect_conv_matches(c, dt, bias, seed++);
}

TEST_P(CudaConv2d, NonContiguousInput) {
  SKIP_WITHOUT_CUDA();
  const DType dt = GetParam();
  Generator gen(200);
  const Tensor base = randn({3, 2, 8, 9}, gen, dt);  // (C, N, H, W), viewed as (N, C, H, W)
  const Tensor x = base.transpose(0, 1), w = randn({4, 3, 3, 3}, gen, dt);
  expect_close(conv2d(on_cuda(base).transpose(0, 1), on_cuda(w), Tensor(), 1, 1), conv2d(x, w, Tensor(), 1, 1), 0,
               tolerance(dt, 27), "");
}

INSTANTIATE_TEST_SUITE_P(Dtypes, CudaConv2d, ::testing::Values(DType::Float32, DType::Float64),
                         [](const auto& info) { return std::string(dtype_name(info.param)); });

// 27 images of 16 x 96 x 96 with a 3x3 kernel: 10.6 MB of float64 columns
// each, more than the 256 MiB column buffer holds at once, so the CUDA kernels
// run two chunks and the weight gradient adds the second onto the first.
TEST(CudaConv2dChunks, BatchLargerThanOneColumnBuffer) {
  SKIP_WITHOUT_CUDA();
  expect_conv_matches({27, 16, 96, 96, 8, 3, 3, 1, 1}, DType::Float64, true, 300);
}

}  // namespace
