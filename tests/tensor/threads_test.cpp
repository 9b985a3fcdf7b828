// The parallel code paths against the single-threaded ones. The rest of the
// suite runs with OMP_NUM_THREADS=1 (ctest runs tests side by side on few
// cores), so this file is where multi-threaded execution is exercised: each
// kernel on inputs large enough to be split, with 1, 2 and 3 threads, must
// give the same bits (Note [Same bits for any thread count] in
// tensor/cpu/parallel.h). The shapes are chosen to reach the paths where a
// split by thread count would show: a batch smaller than the thread count,
// GEMMs with K between one and two of OpenBLAS's K blocks (600 to 720 for
// its Skylake-X kernels; other CPUs block K otherwise),
// reductions to one or two outputs, float64 sums (a float32 sum accumulates
// in double and rounds most order effects away).
#include <gtest/gtest.h>

#include <cstring>

#include "tensor/ops.h"
#include "tensor/random.h"

using namespace tensor;

namespace {

// f() computed with 1, 2 and 3 threads (3 threads on fewer cores still split the work in three).
template <typename F>
std::vector<Tensor> with_1_2_3_threads(F f) {
  const int saved = get_num_threads();
  std::vector<Tensor> results;
  for (int threads : {1, 2, 3}) {
    set_num_threads(threads);
    results.push_back(f().contiguous());
  }
  set_num_threads(saved);
  return results;
}

// The number of elements whose bits differ (so -0 vs 0 and NaN payloads count).
int64_t differing_elements(const Tensor& a, const Tensor& b) {
  const size_t size = a.dtype() == DType::Float64 ? 8 : 4;
  const char* pa = static_cast<const char*>(a.raw_data());
  const char* pb = static_cast<const char*>(b.raw_data());
  int64_t count = 0;
  for (int64_t i = 0; i < a.numel(); ++i) count += std::memcmp(pa + i * size, pb + i * size, size) != 0;
  return count;
}

// f gives the same bits with 1, 2 and 3 threads.
template <typename F>
void expect_thread_independent(F f) {
  const std::vector<Tensor> r = with_1_2_3_threads(f);
  for (size_t k = 1; k < r.size(); ++k) {
    ASSERT_EQ(r[0].shape(), r[k].shape());
    ASSERT_EQ(r[0].dtype(), r[k].dtype());
    EXPECT_EQ(differing_elements(r[0], r[k]), 0) << "of " << r[0].numel() << " elements, with " << k + 1 << " threads";
  }
}

}  // namespace

TEST(Threads, ElementwiseAndCopies) {
  Generator gen(1);
  Tensor a = randn({256, 1024}, gen), b = randn({1024}, gen);
  expect_thread_independent([&] { return silu(add(mul(a, b), a.t().contiguous().t())); });
  expect_thread_independent([&] { return a.t().contiguous(); });
}

TEST(Threads, Reductions) {
  Generator gen(2);
  for (DType dtype : {DType::Float32, DType::Float64}) {
    SCOPED_TRACE(dtype == DType::Float32 ? "float32" : "float64");
    Tensor a = randn({64, 4096}, gen, dtype);
    for (const std::vector<int64_t>& dims : {std::vector<int64_t>{}, {0}, {1}}) {
      expect_thread_independent([&] { return sum(a, dims); });
      expect_thread_independent([&] { return mean(a, dims); });
      expect_thread_independent([&] { return amax(a, dims); });
    }
    // A conv bias gradient with two channels: two long, strided reductions.
    Tensor g = randn({16, 2, 64, 64}, gen, dtype);
    expect_thread_independent([&] { return sum(g, {0, 2, 3}); });
    expect_thread_independent([&] { return softmax(a, -1); });
    // Many short reductions (reduce.cpp's reduce_short): the 2x2 blocks of an
    // upsampling's gradient, each output's offset advanced by the odometer.
    Tensor u = randn({8, 16, 32, 32}, gen, dtype);
    expect_thread_independent([&] { return upsample_nearest2d_backward(u, 2); });
    expect_thread_independent([&] { return sum(u.transpose(1, 3), {2}); });
    // Column sums (reduce_columns): a Linear bias gradient over a batch.
    expect_thread_independent([&] { return sum(a, {0}); });
  }
}

TEST(Threads, Conv2dForwardAndBackward) {
  Generator gen(3);
  // K = C*3*3 = 720 in the forward GEMM, K = O = 600 in the input gradient's.
  const Tensor w = randn({600, 80, 3, 3}, gen), bias = randn({600}, gen);
  for (int64_t batch : {1, 2, 5}) {
    SCOPED_TRACE("batch " + std::to_string(batch));
    const Tensor x = randn({batch, 80, 8, 8}, gen), g = randn({batch, 600, 8, 8}, gen);
    expect_thread_independent([&] { return conv2d(x, w, bias, 1, 1); });
    expect_thread_independent([&] { return conv2d_backward_input(g, w, x.shape(), 1, 1); });
    expect_thread_independent([&] { return conv2d_backward_weight(g, x, w.shape(), 1, 1); });
  }
  // A batch of 40: the weight gradient sums groups of 3 images, then 14
  // groups. The input gradient by col2im (O > C) at 10x10, as a convolution
  // (O <= C) at 9x9.
  const Tensor x40 = randn({40, 8, 10, 10}, gen), w40 = randn({16, 8, 3, 3}, gen), g40 = randn({40, 16, 10, 10}, gen);
  expect_thread_independent([&] { return conv2d(x40, w40, Tensor(), 1, 1); });
  expect_thread_independent([&] { return conv2d_backward_input(g40, w40, x40.shape(), 1, 1); });
  expect_thread_independent([&] { return conv2d_backward_weight(g40, x40, w40.shape(), 1, 1); });
  const Tensor x9 = randn({40, 16, 9, 9}, gen), w9 = randn({8, 16, 3, 3}, gen), g9 = randn({40, 8, 9, 9}, gen);
  expect_thread_independent([&] { return conv2d(x9, w9, Tensor(), 1, 1); });
  expect_thread_independent([&] { return conv2d_backward_input(g9, w9, x9.shape(), 1, 1); });
  expect_thread_independent([&] { return conv2d_backward_weight(g9, x9, w9.shape(), 1, 1); });
  // The Winograd routes (tensor/cpu/conv_winograd.cpp: 16+ channels; the
  // weight gradient from 10x10 up, in the same groups of 3 images).
  const Tensor xw = randn({40, 16, 10, 10}, gen), ww = randn({16, 16, 3, 3}, gen), gw = randn({40, 16, 10, 10}, gen);
  expect_thread_independent([&] { return conv2d(xw, ww, Tensor(), 1, 1); });
  expect_thread_independent([&] { return conv2d_backward_input(gw, ww, xw.shape(), 1, 1); });
  expect_thread_independent([&] { return conv2d_backward_weight(gw, xw, ww.shape(), 1, 1); });
  // 1x1 (no im2col) and strided convolutions.
  const Tensor x = randn({5, 64, 14, 14}, gen), w1 = randn({192, 64, 1, 1}, gen), w3 = randn({32, 64, 3, 3}, gen);
  const Tensor g1 = randn({5, 192, 14, 14}, gen), g3 = randn({5, 32, 7, 7}, gen);
  expect_thread_independent([&] { return conv2d_backward_weight(g1, x, w1.shape(), 1, 0); });
  expect_thread_independent([&] { return conv2d_backward_weight(g3, x, w3.shape(), 2, 1); });
}

TEST(Threads, GroupNormForwardAndBackward) {
  Generator gen(4);
  const Tensor x = randn({5, 64, 14, 14}, gen), weight = randn({64}, gen), bias = randn({64}, gen);
  const Tensor g = randn({5, 64, 14, 14}, gen);
  for (bool silu : {false, true}) {
    expect_thread_independent([&] { return group_norm(x, 8, weight, bias, 1e-5, silu).out; });
    const GroupNormOutput fwd = group_norm(x, 8, weight, bias, 1e-5, silu);
    auto backward = [&] { return group_norm_backward(g, x, fwd.mean, fwd.rstd, weight, bias, 8, silu); };
    expect_thread_independent([&] { return backward().x; });
    expect_thread_independent([&] { return backward().weight; });
    expect_thread_independent([&] { return backward().bias; });
  }
}

TEST(Threads, MatmulAndIndexing) {
  Generator gen(5);
  // A product cut into 2 x 2 tiles, with K = 700; its transpose-read form; a batch of small ones.
  const Tensor a = randn({600, 700}, gen), b = randn({700, 300}, gen);
  expect_thread_independent([&] { return matmul(a, b); });
  expect_thread_independent([&] { return matmul(b.t(), a.t()); });
  const Tensor sa = randn({32, 64, 48}, gen), sb = randn({32, 48, 40}, gen);
  expect_thread_independent([&] { return matmul(sa, sb); });
  const Tensor table = randn({1000, 64}, gen);
  const Tensor idx = randint(0, 1000, {4096}, gen);
  expect_thread_independent([&] { return index_select(table, 0, idx); });
}
