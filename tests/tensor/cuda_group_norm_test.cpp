// CUDA fused GroupNorm (+ SiLU) against the CPU kernel on the same inputs:
// forward (out, mean, rstd) and backward (input, weight and bias gradients),
// with and without SiLU, weight and bias, for groups of one channel, all
// channels and in between, positions fewer and more than a thread block, a
// non-contiguous input, and the U-Net's shape. Also: the CUDA result is the
// same bits on a second run (no atomics).
// Tolerance: float32 |cuda - cpu| <= 2e-5 + 2e-5 |cpu| (the same double sums in
// another order, then float rounding and expf); float64 1e-12 + 1e-12 |cpu|.
#include <gtest/gtest.h>

#include "cuda_compare.h"
#include "tensor/ops.h"
#include "tensor/random.h"

using namespace tensor;
using tensor_test::expect_close;

namespace {
Tensor on_cuda(const Tensor& t) { return t.to(Device::CUDA); }

double tolerance(DType dtype) { return dtype == DType::Float32 ? 2e-5 : 1e-12; }

struct GroupNormCase {
  Shape x_shape;
  int64_t groups;
};

void expect_group_norm_matches(const GroupNormCase& c, DType dt, bool affine, bool silu, uint64_t seed) {
  Generator gen(seed);
  const int64_t C = c.x_shape[1];
  // Scaled and shifted, so the mean and variance are not ~0 and 1.
  const Tensor x_in = add(mul(randn(c.x_shape, gen, dt), 3.0), 0.5);
  const Tensor weight = affine ? randn({C}, gen, dt) : Tensor(), bias = affine ? randn({C}, gen, dt) : Tensor();
  const Tensor grad_out = randn(c.x_shape, gen, dt);
  const std::string what =
      fmt::format("x {} groups {} affine {} silu {} {}", shape_str(c.x_shape), c.groups, affine, silu, dtype_name(dt));
  const double tol = tolerance(dt);

  const GroupNormOutput want = group_norm(x_in, c.groups, weight, bias, 1e-5, silu);
  const Tensor x_cuda = on_cuda(x_in), w_cuda = affine ? on_cuda(weight) : Tensor(),
               b_cuda = affine ? on_cuda(bias) : Tensor();
  const GroupNormOutput got = group_norm(x_cuda, c.groups, w_cuda, b_cuda, 1e-5, silu);
  expect_close(got.out, want.out, tol, tol, (::testing::Message() << "out, " << what).GetString());
  expect_close(got.mean, want.mean, tol, tol, (::testing::Message() << "mean, " << what).GetString());
  expect_close(got.rstd, want.rstd, tol, tol, (::testing::Message() << "rstd, " << what).GetString());

  // The backward from each device's own statistics (as autograd runs it).
  const GroupNormGrads want_g = group_norm_backward(grad_out, x_in, want.mean, want.rstd, weight, bias, c.groups, silu);
  const GroupNormGrads got_g =
      group_norm_backward(on_cuda(grad_out), x_cuda, got.mean, got.rstd, w_cuda, b_cuda, c.groups, silu);
  // dw and db sum over N*S positions: scale the float tolerance with it.
  const double sum_tol = tol * std::sqrt(static_cast<double>(x_in.numel() / C));
  expect_close(got_g.x, want_g.x, 5 * tol, 5 * tol, (::testing::Message() << "input gradient, " << what).GetString());
  if (affine) {
    expect_close(got_g.weight, want_g.weight, tol, sum_tol,
                 (::testing::Message() << "weight gradient, " << what).GetString());
    expect_close(got_g.bias, want_g.bias, tol, sum_tol,
                 (::testing::Message() << "bias gradient, " << what).GetString());
  } else {
    EXPECT_FALSE(got_g.weight.defined() || got_g.bias.defined()) << what;
  }
}

class CudaGroupNorm : public ::testing::TestWithParam<DType> {};

TEST_P(CudaGroupNorm, MatchesCpu) {
  SKIP_WITHOUT_CUDA();
  const GroupNormCase cases[] = {
      {{3, 6, 5, 7}, 3},    // 2 channels a group, 35 positions (fewer than a block's threads)
      {{2, 6, 4, 4}, 1},    // one group: LayerNorm over (C, H, W)
      {{2, 6, 4, 4}, 6},    // one channel a group: InstanceNorm
      {{2, 4, 30, 30}, 2},  // 900 positions: several per thread
      {{5, 8}, 2},          // (N, C) with no spatial dims (4 values a group: 2 could be nearly equal,
                            // and float32 cancellation in x * scale + shift would then exceed the tolerance)
  };
  uint64_t seed = 400;
  for (const GroupNormCase& c : cases)
    for (bool affine : {true, false})
      for (bool silu : {false, true}) expect_group_norm_matches(c, GetParam(), affine, silu, seed++);
}

TEST_P(CudaGroupNorm, UNetShape) {
  SKIP_WITHOUT_CUDA();
  expect_group_norm_matches({{8, 64, 28, 28}, 32}, GetParam(), true, true, 500);
}

INSTANTIATE_TEST_SUITE_P(Dtypes, CudaGroupNorm, ::testing::Values(DType::Float32, DType::Float64),
                         [](const auto& info) { return std::string(dtype_name(info.param)); });

TEST(CudaGroupNormLayout, NonContiguousInput) {
  SKIP_WITHOUT_CUDA();
  Generator gen(600);
  const Tensor base = randn({6, 3, 5, 5}, gen);  // (C, N, H, W) viewed as (N, C, H, W)
  const Tensor weight = randn({6}, gen), bias = randn({6}, gen);
  const GroupNormOutput want = group_norm(base.transpose(0, 1), 2, weight, bias, 1e-5, true);
  const GroupNormOutput got = group_norm(on_cuda(base).transpose(0, 1), 2, on_cuda(weight), on_cuda(bias), 1e-5, true);
  expect_close(got.out, want.out, 2e-5, 2e-5, "");
}

// The same inputs give the same bits: every sum has one fixed order.
TEST(CudaGroupNormDeterminism, SameBitsOnEveryRun) {
  SKIP_WITHOUT_CUDA();
  Generator gen(700);
  const Tensor x = on_cuda(randn({16, 64, 14, 14}, gen)), g = on_cuda(randn({16, 64, 14, 14}, gen));
  const Tensor w = on_cuda(randn({64}, gen)), b = on_cuda(randn({64}, gen));
  const GroupNormOutput f1 = group_norm(x, 32, w, b, 1e-5, true), f2 = group_norm(x, 32, w, b, 1e-5, true);
  const GroupNormGrads g1 = group_norm_backward(g, x, f1.mean, f1.rstd, w, b, 32, true);
  const GroupNormGrads g2 = group_norm_backward(g, x, f1.mean, f1.rstd, w, b, 32, true);
  expect_close(f1.out, f2.out.to(Device::CPU), 0, 0, "");
  expect_close(g1.x, g2.x.to(Device::CPU), 0, 0, "");
  expect_close(g1.weight, g2.weight.to(Device::CPU), 0, 0, "");
  expect_close(g1.bias, g2.bias.to(Device::CPU), 0, 0, "");
}

}  // namespace
