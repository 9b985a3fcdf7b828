// The CUDA kernels' addressing, checked on the CPU: for views of every kind,
// the StridedView from view_of (dims dropped and merged) and offset_of find
// element i where the tensor's own shape and strides put it. Runs in a CUDA
// build without a GPU (no kernel is launched); skipped in a build without CUDA.
#include <gtest/gtest.h>

#include "tensor/ops.h"

#ifdef DIFFUSE_WITH_CUDA
#include "error_util.h"
#include "tensor/cuda/view.h"
#endif

using namespace tensor;

TEST(CudaView, OffsetOfFindsEveryElementOfEveryLayout) {
#ifndef DIFFUSE_WITH_CUDA
  GTEST_SKIP() << "no CUDA backend in this build";
#else
  const Tensor base = zeros({4, 5, 6});
  const std::vector<std::pair<const char*, Tensor> > views = {
      {"contiguous", base},
      {"transposed", base.transpose(0, 2)},
      {"narrowed", base.narrow(1, 1, 3).narrow(2, 2, 4)},
      {"expanded", base.select(1, 2).unsqueeze(1).expand({4, 7, 6})},
      {"permuted", base.permute({1, 2, 0})},
      {"size-1 dims", base.narrow(0, 1, 1).narrow(2, 3, 1)},
      {"0-dim", base.select(0, 1).select(0, 2).select(0, 3)},
      {"scalar broadcast", scalar(1.0).expand({3, 2})},
  };
  for (const auto& [name, t] : views) {
    const cuda::StridedView v = cuda::view_of(t, "test");
    const Shape& shape = t.shape();
    for (int64_t i = 0; i < t.numel(); ++i) {
      int64_t rest = i, want = 0;  // element i's offset from the tensor's own strides
      for (int64_t d = t.dim() - 1; d >= 0; --d) {
        want += (rest % shape[d]) * t.strides()[d];
        rest /= shape[d];
      }
      ASSERT_EQ(cuda::offset_of(v, i), want) << name << " element " << i;
    }
    EXPECT_EQ(v.data, t.raw_data()) << name;
  }
  // Merging: a contiguous tensor is one dim, a transposed one keeps two.
  EXPECT_EQ(cuda::view_of(base, "test").ndim, 1);
  EXPECT_EQ(cuda::view_of(base.transpose(0, 2), "test").ndim, 3);
  EXPECT_EQ(cuda::view_of(base.narrow(2, 0, 3), "test").ndim, 2);
  // Too many dims that cannot merge is an error naming the op.
  const Tensor deep = zeros(Shape(9, 2)).permute({8, 7, 6, 5, 4, 3, 2, 1, 0});
  const std::string msg = tensor_test::error_of([&] { cuda::view_of(deep, "unary"); });
  EXPECT_TRUE(tensor_test::contains(msg, "[unary]") && tensor_test::contains(msg, "at most 8")) << msg;
#endif
}

TEST(CudaErrors, NameTheOpAndTheCudaMessage) {
#ifndef DIFFUSE_WITH_CUDA
  GTEST_SKIP() << "no CUDA backend in this build";
#else
  // No device needed: the check only turns a status into a tensor::Error.
  const std::string msg = tensor_test::error_of([] { DIFFUSE_CUDA_CHECK(cudaErrorInvalidValue, "conv2d"); });
  EXPECT_TRUE(tensor_test::contains(msg, "[conv2d] CUDA error: ")) << msg;
  EXPECT_TRUE(tensor_test::contains(msg, cudaGetErrorString(cudaErrorInvalidValue))) << msg;
  EXPECT_EQ(tensor_test::error_of([] { DIFFUSE_CUDA_CHECK(cudaSuccess, "conv2d"); }), "");
#endif
}
