// The parallel code paths against the single-threaded ones. The rest of the
// suite runs with OMP_NUM_THREADS=1 (ctest runs tests side by side on few
// cores), so this file is where 2-thread execution is exercised: each op on
// tensors large enough to be split across threads, once with 1 thread and
// once with 2. Elementwise ops, copies and per-image conv2d must match bit
// for bit; reductions and conv2d's weight gradient sum partials in another
// order, so they match to rounding.
#include <gtest/gtest.h>

#include "tensor/ops.h"
#include "tensor/random.h"

using namespace tensor;

namespace {

template <typename F>
std::pair<Tensor, Tensor> with_1_and_2_threads(F f) {
  const int saved = get_num_threads();
  set_num_threads(1);
  Tensor one = f();
  set_num_threads(2);
  Tensor two = f();
  set_num_threads(saved);
  return {one, two};
}

void expect_identical(const Tensor& a, const Tensor& b) {
  ASSERT_EQ(a.shape(), b.shape());
  EXPECT_EQ(a.to_vector<float>(), b.to_vector<float>());
}

// Sums in another order differ by rounding relative to the size of the
// summands, not of the result, so the tolerance scales with the largest value.
void expect_close(const Tensor& a, const Tensor& b, double rtol) {
  ASSERT_EQ(a.shape(), b.shape());
  const std::vector<float> va = a.to_vector<float>(), vb = b.to_vector<float>();
  float scale = 0;
  for (float v : va) scale = std::max(scale, std::abs(v));
  for (size_t i = 0; i < va.size(); ++i) ASSERT_NEAR(va[i], vb[i], rtol * scale) << "element " << i;
}

}  // namespace

TEST(Threads, ElementwiseAndCopiesMatchBitForBit) {
  Generator gen(1);
  Tensor a = randn({256, 1024}, gen), b = randn({1024}, gen);
  auto [one, two] = with_1_and_2_threads([&] { return silu(add(mul(a, b), a.t().contiguous().t())); });
  expect_identical(one, two);
  auto [c1, c2] = with_1_and_2_threads([&] { return a.t().contiguous(); });
  expect_identical(c1, c2);
}

TEST(Threads, ReductionsMatchToRounding) {
  Generator gen(2);
  Tensor a = randn({64, 4096}, gen);
  for (const std::vector<int64_t>& dims : {std::vector<int64_t>{}, {0}, {1}}) {
    auto [one, two] = with_1_and_2_threads([&] { return sum(a, dims); });
    expect_close(one, two, 1e-6);
    auto [m1, m2] = with_1_and_2_threads([&] { return amax(a, dims); });
    expect_identical(m1, m2);
  }
  auto [s1, s2] = with_1_and_2_threads([&] { return softmax(a, -1); });
  expect_identical(s1, s2);
}

TEST(Threads, Conv2dForwardAndBackward) {
  Generator gen(3);
  Tensor x = randn({8, 16, 14, 14}, gen), w = randn({32, 16, 3, 3}, gen), bias = randn({32}, gen);
  auto [y1, y2] = with_1_and_2_threads([&] { return conv2d(x, w, bias, 1, 1); });
  expect_close(y1, y2, 1e-5);
  Tensor g = randn({8, 32, 14, 14}, gen);
  auto [gx1, gx2] = with_1_and_2_threads([&] { return conv2d_backward_input(g, w, x.shape(), 1, 1); });
  expect_close(gx1, gx2, 1e-5);
  auto [gw1, gw2] = with_1_and_2_threads([&] { return conv2d_backward_weight(g, x, w.shape(), 1, 1); });
  expect_close(gw1, gw2, 1e-5);
}

TEST(Threads, BatchedMatmulAndIndexing) {
  Generator gen(4);
  Tensor a = randn({32, 64, 48}, gen), b = randn({32, 48, 40}, gen);
  auto [m1, m2] = with_1_and_2_threads([&] { return matmul(a, b); });
  expect_close(m1, m2, 1e-5);
  Tensor table = randn({1000, 64}, gen);
  Tensor idx = randint(0, 1000, {4096}, gen);
  auto [i1, i2] = with_1_and_2_threads([&] { return index_select(table, 0, idx); });
  expect_identical(i1, i2);
}
