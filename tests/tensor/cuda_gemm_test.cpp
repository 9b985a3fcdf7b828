// CUDA matmul (cuBLAS) against the CPU kernel (OpenBLAS) on the same inputs:
// contiguous, transposed, narrowed (leading dim > width), strided so that
// neither dim is unit (a copy first), batched, broadcast batches (stride 0
// and the host loop over batch dims cuBLAS cannot stride), K = 0, vectors.
// Tolerance: |cuda - cpu| <= tol * sqrt(K) with tol 2e-5 (float32) and
// 1e-13 (float64), entries ~ N(0, 1): summation order differs, nothing else.
#include <gtest/gtest.h>

#include <cmath>

#include "cuda_compare.h"
#include "tensor/ops.h"
#include "tensor/random.h"
#ifdef DIFFUSE_WITH_CUDA
#include "tensor/cuda/blas.h"
#endif

using namespace tensor;
using tensor_test::expect_close;

namespace {
Tensor on_cuda(const Tensor& t) { return t.to(Device::CUDA); }

double tolerance(DType dtype, int64_t K) {
  return (dtype == DType::Float32 ? 2e-5 : 1e-13) * std::sqrt(static_cast<double>(std::max<int64_t>(K, 1)));
}

// matmul(a_view(A), b_view(B)) on both devices, for base tensors A and B.
void expect_matmul_matches(const Shape& a_base, const Shape& b_base, const std::function<Tensor(const Tensor&)>& a_view,
                           const std::function<Tensor(const Tensor&)>& b_view, DType dtype, uint64_t seed) {
  Generator gen(seed);
  const Tensor A = randn(a_base, gen, dtype), B = randn(b_base, gen, dtype);
  const Tensor a = a_view(A), b = b_view(B);
  const Tensor want = matmul(a, b);
  const Tensor got = matmul(a_view(on_cuda(A)), b_view(on_cuda(B)));
  expect_close(got, want, 0, tolerance(dtype, a.size(-1)),
               (::testing::Message() << "a " << shape_str(a.shape()) << " strides " << shape_str(a.strides()) << ", b "
                                     << shape_str(b.shape()) << " strides " << shape_str(b.strides()) << ", "
                                     << dtype_name(dtype))
                   .GetString());
}

const auto as_is = [](const Tensor& t) { return t; };
const auto transposed = [](const Tensor& t) { return t.transpose(-2, -1); };

class CudaMatmul : public ::testing::TestWithParam<DType> {};

TEST_P(CudaMatmul, ContiguousAndTransposedOperands) {
  SKIP_WITHOUT_CUDA();
  const DType dt = GetParam();
  expect_matmul_matches({37, 53}, {53, 29}, as_is, as_is, dt, 1);
  expect_matmul_matches({53, 37}, {53, 29}, transposed, as_is, dt, 2);
  expect_matmul_matches({37, 53}, {29, 53}, as_is, transposed, dt, 3);
  expect_matmul_matches({53, 37}, {29, 53}, transposed, transposed, dt, 4);
  expect_matmul_matches({256, 512}, {512, 384}, as_is, as_is, dt, 5);
}

TEST_P(CudaMatmul, NarrowedAndNonUnitStrides) {
  SKIP_WITHOUT_CUDA();
  const DType dt = GetParam();
  // Leading dims larger than the width: read in place with ld = 60 / 40.
  expect_matmul_matches(
      {20, 60}, {31, 40}, [](const Tensor& t) { return t.narrow(1, 5, 31); },
      [](const Tensor& t) { return t.narrow(1, 3, 17); }, dt, 6);
  // Rows narrowed from a transposed base.
  expect_matmul_matches(
      {31, 50}, {17, 31}, [](const Tensor& t) { return t.t().narrow(0, 10, 20); }, transposed, dt, 7);
  // Neither dim has unit stride (every other element): copied to contiguous first.
  expect_matmul_matches(
      {20, 31, 2}, {31, 17, 3}, [](const Tensor& t) { return t.select(2, 1); },
      [](const Tensor& t) { return t.select(2, 2); }, dt, 8);
}

TEST_P(CudaMatmul, BatchedAndBroadcastBatches) {
  SKIP_WITHOUT_CUDA();
  const DType dt = GetParam();
  expect_matmul_matches({6, 9, 11}, {6, 11, 7}, as_is, as_is, dt, 9);
  // One matrix against a batch: strideA = 0.
  expect_matmul_matches({9, 11}, {6, 11, 7}, as_is, as_is, dt, 10);
  expect_matmul_matches({6, 9, 11}, {11, 7}, as_is, transposed, dt, 11);
  // Batch dims broadcast from both sides (4, 1) x (1, 5): no single batch
  // stride covers both, so the outer dim is looped on the host.
  expect_matmul_matches({4, 1, 9, 11}, {1, 5, 11, 7}, as_is, as_is, dt, 12);
  // Batch stride smaller than the matrix (a permuted batch): (M, B, K) -> (B, M, K).
  expect_matmul_matches(
      {9, 6, 11}, {6, 7, 11}, [](const Tensor& t) { return t.transpose(0, 1); }, transposed, dt, 13);
  // More matrices than one cuBLAS call takes (65535), small ones.
  expect_matmul_matches({70000, 2, 3}, {70000, 3, 2}, as_is, as_is, dt, 14);
}

TEST_P(CudaMatmul, EmptySumsAndVectors) {
  SKIP_WITHOUT_CUDA();
  const DType dt = GetParam();
  expect_matmul_matches({5, 0}, {0, 4}, as_is, as_is, dt, 15);  // K = 0: zeros
  expect_matmul_matches({7}, {7, 3}, as_is, as_is, dt, 16);     // vector @ matrix
  expect_matmul_matches({3, 7}, {7}, as_is, as_is, dt, 17);     // matrix @ vector
  expect_matmul_matches({7}, {7}, as_is, as_is, dt, 18);        // dot product
  expect_matmul_matches({0, 4}, {4, 3}, as_is, as_is, dt, 19);  // no rows
}

TEST_P(CudaMatmul, AddmmAddsOntoTheBias) {
  SKIP_WITHOUT_CUDA();
  const DType dt = GetParam();
  Generator gen(21);
  const Tensor bias = randn({7}, gen, dt), a = randn({9, 11}, gen, dt), w = randn({7, 11}, gen, dt);
  const Tensor want = addmm(bias, a, w.t());  // Linear's call: the weight transposed
  expect_close(addmm(on_cuda(bias), on_cuda(a), on_cuda(w).t()), want, 0, tolerance(dt, 11), "addmm");
  expect_close(addmm(on_cuda(bias), on_cuda(a.narrow(1, 0, 0)), on_cuda(w.narrow(1, 0, 0)).t()),
               bias.unsqueeze(0).expand({9, 7}), 0, 0, "addmm with K = 0");
}

INSTANTIATE_TEST_SUITE_P(Dtypes, CudaMatmul, ::testing::Values(DType::Float32, DType::Float64),
                         [](const auto& info) { return std::string(dtype_name(info.param)); });

#ifdef DIFFUSE_WITH_CUDA
// TF32 is off by default (the tight float32 tolerance above holds); switched
// on, float32 products lose precision (~1e-3 relative), float64 none.
TEST(CudaMatmulTf32, OffByDefaultAndOptIn) {
  SKIP_WITHOUT_CUDA();
  EXPECT_FALSE(cuda::allow_tf32());
  Generator gen(20);
  const Tensor a = randn({256, 1024}, gen), b = randn({1024, 256}, gen);
  const Tensor want = matmul(a, b);
  expect_close(matmul(on_cuda(a), on_cuda(b)), want, 0, tolerance(DType::Float32, 1024), "");
  cuda::set_allow_tf32(true);
  const Tensor tf32 = matmul(on_cuda(a), on_cuda(b));
  cuda::set_allow_tf32(false);
  expect_close(tf32, want, 0, 0.5, "tf32");  // still the product: about 32 * 1e-3 off at most
  double largest_change = 0;                 // TF32 must have changed the result beyond float32 rounding
  const std::vector<double> got = tf32.to(Device::CPU).to_vector<double>(), exact = want.to_vector<double>();
  for (size_t i = 0; i < got.size(); ++i) largest_change = std::max(largest_change, std::abs(got[i] - exact[i]));
  EXPECT_GT(largest_change, tolerance(DType::Float32, 1024)) << "TF32 did not change the result";
  expect_close(matmul(on_cuda(a), on_cuda(b)), want, 0, tolerance(DType::Float32, 1024), "");
}
#endif

}  // namespace
