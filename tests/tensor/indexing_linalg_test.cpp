// cat, stack, index_select, index_add_ and matmul/conv2d/upsample against
// closed forms, with the errors each front-end must raise (naming the op).
#include <gtest/gtest.h>

#include <utility>

#include "error_util.h"
#include "tensor/ops.h"
#include "tensor/random.h"

using namespace tensor;

namespace {
using tensor_test::contains;
using tensor_test::error_of;
Tensor ints(std::vector<int64_t> v) {
  const int64_t n = static_cast<int64_t>(v.size());
  return from_vector(v, {n});
}
}  // namespace

TEST(Cat, AlongEachDimIncludingStridedInputs) {
  const Tensor a = arange(0, 6).reshape({2, 3}), b = arange(6, 9).reshape({1, 3});
  EXPECT_EQ(cat({a, b}, 0).to_vector<float>(), (std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7, 8}));
  const Tensor c = arange(10, 14).reshape({2, 2});
  EXPECT_EQ(cat({a, c}, -1).to_vector<float>(), (std::vector<float>{0, 1, 2, 10, 11, 3, 4, 5, 12, 13}));
  // A transposed input is copied as it appears.
  EXPECT_EQ(cat({a.t(), a.t()}, 1).to_vector<float>(), (std::vector<float>{0, 3, 0, 3, 1, 4, 1, 4, 2, 5, 2, 5}));
  EXPECT_EQ(cat({a}, 0).shape(), (Shape{2, 3}));
  EXPECT_EQ(cat({a, zeros({0, 3})}, 0).shape(), (Shape{2, 3}));
}

TEST(Cat, ErrorsNameTheOpAndShapes) {
  std::string msg = error_of([] { cat({zeros({2, 3}), zeros({2, 4})}, 0); });
  EXPECT_TRUE(contains(msg, "[cat]") && contains(msg, "(2, 4)")) << msg;
  EXPECT_TRUE(contains(error_of([] { cat({}, 0); }), "[cat]"));
  EXPECT_TRUE(contains(error_of([] { cat({zeros({2}), zeros({2, 1})}, 0); }), "[cat]"));
  EXPECT_TRUE(contains(error_of([] { cat({zeros({2}), zeros({2}, DType::Float64)}, 0); }), "[cat]"));
  EXPECT_TRUE(contains(error_of([] { cat({zeros({2})}, 1); }), "[cat]"));
  // 0-dim tensors have no dim to join along (as in PyTorch).
  EXPECT_TRUE(contains(error_of([] { cat({scalar(1), scalar(2)}, 0); }), "[cat]"));
}

TEST(Stack, AddsANewDim) {
  const Tensor a = from_list({1, 2}), b = from_list({3, 4});
  EXPECT_EQ(stack({a, b}, 0).to_vector<float>(), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(stack({a, b}, 1).to_vector<float>(), (std::vector<float>{1, 3, 2, 4}));
  EXPECT_EQ(stack({a, b}, -1).shape(), (Shape{2, 2}));
  EXPECT_EQ(stack({scalar(5), scalar(6)}, 0).to_vector<float>(), (std::vector<float>{5, 6}));
  EXPECT_TRUE(contains(error_of([&] { stack({a, zeros({3})}, 0); }), "[stack]"));
  EXPECT_TRUE(contains(error_of([&] { stack({a, b}, 2); }), "[stack]"));
}

TEST(IndexSelect, PicksRowsInOrderWithRepeats) {
  const Tensor x = arange(0, 12).reshape({4, 3});
  EXPECT_EQ(index_select(x, 0, ints({3, 0, 3})).to_vector<float>(),
            (std::vector<float>{9, 10, 11, 0, 1, 2, 9, 10, 11}));
  EXPECT_EQ(index_select(x, 1, ints({2, 2})).to_vector<float>(), (std::vector<float>{2, 2, 5, 5, 8, 8, 11, 11}));
  EXPECT_EQ(index_select(x.t(), 0, ints({1})).to_vector<float>(), (std::vector<float>{1, 4, 7, 10}));
  EXPECT_EQ(index_select(x, 0, ints({})).shape(), (Shape{0, 3}));
  // Int64 sources work too (a table of class ids, say).
  EXPECT_EQ(index_select(ints({10, 20, 30}), 0, ints({2, 0})).to_vector<int64_t>(), (std::vector<int64_t>{30, 10}));
  // alpha_bar[t] for a batch of timesteps: the diffusion code's use.
  const Tensor alpha_bar = linspace(1, 0.1, 10, DType::Float64);
  EXPECT_NEAR(index_select(alpha_bar, 0, ints({0, 9})).to_vector<double>()[1], 0.1, 1e-15);
}

TEST(IndexSelect, ErrorsNameTheOpAndTheBadIndex) {
  const Tensor x = zeros({4, 3});
  std::string msg = error_of([&] { index_select(x, 0, ints({1, 4})); });
  EXPECT_TRUE(contains(msg, "[index_select]") && contains(msg, "4")) << msg;
  EXPECT_TRUE(contains(error_of([&] { index_select(x, 0, ints({-1})); }), "[index_select]"));
  EXPECT_TRUE(contains(error_of([&] { index_select(x, 0, from_list({1})); }), "int64"));
  EXPECT_TRUE(contains(error_of([&] { index_select(x, 2, ints({0})); }), "[index_select]"));
}

TEST(IndexAdd, RepeatedIndicesAccumulate) {
  Tensor out = zeros({3, 2});
  const Tensor src = arange(1, 9).reshape({4, 2});  // rows (1,2) (3,4) (5,6) (7,8)
  index_add_(out, 0, ints({2, 0, 2, 2}), src);
  EXPECT_EQ(out.to_vector<float>(), (std::vector<float>{3, 4, 0, 0, 1 + 5 + 7, 2 + 6 + 8}));
  // Along the last dim, and into a slice of a bigger batch.
  Tensor cols = ones({2, 3}, DType::Float64);
  index_add_(cols, 1, ints({0, 0}), full({2, 2}, 5.0, DType::Float64));
  EXPECT_EQ(cols.to_vector<double>(), (std::vector<double>{11, 1, 1, 11, 1, 1}));
  // It is the adjoint of index_select: <index_select(x), y> = <x, index_add(0, y)>.
  const Tensor idx = ints({1, 1, 0});
  const Tensor x = from_list({2, -1}, DType::Float64), y = from_list({3, 4, 5}, DType::Float64);
  Tensor back = zeros({2}, DType::Float64);
  index_add_(back, 0, idx, y);
  EXPECT_EQ(sum(mul(index_select(x, 0, idx), y)).item(), sum(mul(x, back)).item());
  std::string msg = error_of([&] { index_add_(out, 0, ints({0}), zeros({1, 3})); });
  EXPECT_TRUE(contains(msg, "[index_add_]")) << msg;
}

TEST(Matmul, ClosedFormsAndPromotions) {
  const Tensor a = from_list({1, 2, 3, 4, 5, 6}, DType::Float64).reshape({2, 3});
  const Tensor b = from_list({7, 8, 9, 10, 11, 12}, DType::Float64).reshape({3, 2});
  EXPECT_EQ(matmul(a, b).to_vector<double>(), (std::vector<double>{58, 64, 139, 154}));
  EXPECT_EQ(matmul(b.t(), a.t()).to_vector<double>(), (std::vector<double>{58, 139, 64, 154}));  // (ab)^T = b^T a^T
  EXPECT_EQ(matmul(from_list({1, 1}, DType::Float64), a).to_vector<double>(), (std::vector<double>{5, 7, 9}));
  EXPECT_EQ(matmul(a, from_list({1, 0, -1}, DType::Float64)).to_vector<double>(), (std::vector<double>{-2, -2}));
  EXPECT_EQ(matmul(from_list({1, 2, 3}), from_list({4, 5, 6})).item(), 32.0);
  // A batch of identities leaves b unchanged, batch broadcast against a shared b.
  Tensor eye = zeros({2, 2}, DType::Float64);
  eye.select(1, 0).narrow(0, 0, 1).fill_(1);
  eye.select(1, 1).narrow(0, 1, 1).fill_(1);
  const Tensor batch = stack({eye, mul(eye, 2.0), mul(eye, 3.0)}, 0);
  const Tensor out = matmul(batch, b.t());
  EXPECT_EQ(out.shape(), (Shape{3, 2, 3}));
  EXPECT_EQ(out.select(0, 2).to_vector<double>(), mul(b.t(), 3.0).to_vector<double>());
  // Non-BLAS strides (a column picked with a step) are copied first.
  const Tensor spaced = arange(0, 12, 1, DType::Float64).reshape({2, 6}).narrow(1, 0, 3);
  EXPECT_EQ(matmul(spaced, b).to_vector<double>(), matmul(spaced.contiguous(), b).to_vector<double>());
  EXPECT_EQ(matmul(zeros({2, 0}), zeros({0, 3})).to_vector<float>(), std::vector<float>(6, 0.0f));
  const std::string msg = error_of([] { matmul(zeros({2, 3}), zeros({4, 5})); });
  EXPECT_TRUE(contains(msg, "[matmul]") && contains(msg, "(2, 3)") && contains(msg, "(4, 5)")) << msg;
  EXPECT_TRUE(contains(error_of([] { matmul(zeros({2, 2, 3}), zeros({3, 3, 4})); }), "[matmul]"));
}

TEST(Addmm, AddsTheBiasToEveryRowOfTheProduct) {
  const Tensor a = from_list({1, 2, 3, 4, 5, 6}, DType::Float64).reshape({2, 3});
  const Tensor b = from_list({7, 8, 9, 10, 11, 12}, DType::Float64).reshape({3, 2});
  const Tensor bias = from_list({0.5, -100}, DType::Float64);
  EXPECT_EQ(addmm(bias, a, b).to_vector<double>(), (std::vector<double>{58.5, -36, 139.5, 54}));
  // A transposed operand, as Linear passes its weight; K = 0 leaves the bias.
  EXPECT_EQ(addmm(bias, b.t(), a.t().narrow(1, 0, 2)).to_vector<double>(),
            add(matmul(b.t(), a.t().narrow(1, 0, 2)), bias).to_vector<double>());
  EXPECT_EQ(addmm(from_list({1, 2, 3}), zeros({2, 0}), zeros({0, 3})).to_vector<float>(),
            (std::vector<float>{1, 2, 3, 1, 2, 3}));
  const std::string msg = error_of([] { addmm(zeros({4}), zeros({2, 3}), zeros({3, 5})); });
  EXPECT_TRUE(contains(msg, "[addmm]") && contains(msg, "(4,)") && contains(msg, "5 columns")) << msg;
  EXPECT_TRUE(contains(error_of([] { addmm(zeros({5}), zeros({2, 3}), zeros({4, 5})); }), "[addmm]"));
}

TEST(Conv2d, ClosedFormsAndErrors) {
  // A 3x3 box filter of ones with padding 1 counts the in-bounds neighbours.
  const Tensor x = ones({1, 1, 3, 3}, DType::Float64), w = ones({1, 1, 3, 3}, DType::Float64);
  EXPECT_EQ(conv2d(x, w, {}, 1, 1).to_vector<double>(), (std::vector<double>{4, 6, 4, 6, 9, 6, 4, 6, 4}));
  EXPECT_EQ(conv2d(x, w, {}, 2, 1).to_vector<double>(), (std::vector<double>{4, 4, 4, 4}));
  EXPECT_EQ(conv2d(x, w, from_list({-9}, DType::Float64)).to_vector<double>(), (std::vector<double>{0}));
  // A 1x1 conv mixes channels: out[o] = sum_c w[o][c] x[c].
  const Tensor x2 = from_list({1, 2, 10, 20}, DType::Float64).reshape({1, 2, 1, 2});
  const Tensor w2 = from_list({1, 1, 1, -1}, DType::Float64).reshape({2, 2, 1, 1});
  EXPECT_EQ(conv2d(x2, w2).to_vector<double>(), (std::vector<double>{11, 22, -9, -18}));
  std::string msg = error_of([] { conv2d(zeros({8, 3, 28, 28}), zeros({32, 1, 3, 3})); });
  EXPECT_TRUE(contains(msg, "[conv2d]") && contains(msg, "(8, 3, 28, 28)") && contains(msg, "(32, 1, 3, 3)")) << msg;
  EXPECT_TRUE(contains(error_of([] { conv2d(zeros({3, 28, 28}), zeros({1, 3, 3, 3})); }), "[conv2d]"));
  EXPECT_TRUE(contains(error_of([] { conv2d(zeros({1, 1, 2, 2}), zeros({1, 1, 3, 3})); }), "[conv2d]"));
  EXPECT_TRUE(contains(error_of([] { conv2d(zeros({1, 1, 4, 4}), zeros({2, 1, 3, 3}), zeros({3})); }), "[conv2d]"));
  EXPECT_TRUE(contains(error_of([] { conv2d(zeros({1, 1, 4, 4}), zeros({2, 1, 3, 3}), {}, 0); }), "[conv2d]"));
}

// Each image of a batch gets the bits it gets when convolved alone (Note [One
// image per GEMM] in tensor/cpu/conv.cpp): its output, its input gradient (by
// col2im when O > C, as a convolution when O <= C) and its term of the weight
// gradient.
TEST(Conv2d, ManyImagesSplitOverThreadsMatchOneByOne) {
  const Tensor x = sin(arange(0, 16 * 3 * 5 * 5, 1, DType::Float64)).reshape({16, 3, 5, 5});
  for (const int64_t O : {4, 2}) {
    const Tensor w = cos(arange(0, O * 3 * 3 * 3, 1, DType::Float64)).reshape({O, 3, 3, 3});
    const Tensor all = conv2d(x, w, {}, 1, 1);
    const Tensor g = cos(mul(arange(0, 16 * O * 5 * 5, 1, DType::Float64), 0.37)).reshape(all.shape());
    const Tensor gx = conv2d_backward_input(g, w, x.shape(), 1, 1);
    for (int64_t n : {0, 7, 15}) {
      const Tensor xn = x.narrow(0, n, 1), gn = g.narrow(0, n, 1);
      EXPECT_EQ(all.narrow(0, n, 1).to_vector<double>(), conv2d(xn, w, {}, 1, 1).to_vector<double>()) << O << " " << n;
      EXPECT_EQ(gx.narrow(0, n, 1).to_vector<double>(),
                conv2d_backward_input(gn, w, xn.shape(), 1, 1).to_vector<double>())
          << O << " " << n;
    }
    // grad_w sums over images. 16 images are 16 one-image partial sums
    // (kWeightGradGroups in conv.cpp) added in image order: the same
    // additions as summing the images' own weight gradients in order.
    const Tensor gw = conv2d_backward_weight(g, x, w.shape(), 1, 1);
    Tensor gw_sum = zeros_like(w);
    for (int64_t n = 0; n < 16; ++n)
      add_(gw_sum, conv2d_backward_weight(g.narrow(0, n, 1), x.narrow(0, n, 1), w.shape(), 1, 1));
    EXPECT_EQ(gw.to_vector<double>(), gw_sum.to_vector<double>()) << O;
  }
}

// The same images convolved as one batch of 12 and in chunks of 5, 4 and 3
// give the same bits, forward and input gradient, at the U-Net's small float32
// images, where a GEMM over several images would be widest.
TEST(Conv2d, AnImagesBitsDoNotDependOnTheBatchItIsIn) {
  Generator gen(5);
  for (const int64_t size : {7, 14}) {
    const Tensor x = randn({12, 32, size, size}, gen);
    for (const int64_t O : {64, 32}) {  // input gradient by col2im, then as a convolution
      const Tensor w = randn({O, 32, 3, 3}, gen), bias = randn({O}, gen);
      const Tensor all = conv2d(x, w, bias, 1, 1);
      const Tensor g = randn(all.shape(), gen);
      const Tensor gx = conv2d_backward_input(g, w, x.shape(), 1, 1);
      for (const auto& [first, count] : {std::pair<int64_t, int64_t>{0, 5}, {5, 4}, {9, 3}}) {
        const Tensor xc = x.narrow(0, first, count), gc = g.narrow(0, first, count);
        EXPECT_EQ(all.narrow(0, first, count).to_vector<float>(), conv2d(xc, w, bias, 1, 1).to_vector<float>())
            << size << "x" << size << " O " << O << " chunk at " << first;
        EXPECT_EQ(gx.narrow(0, first, count).to_vector<float>(),
                  conv2d_backward_input(gc, w, xc.shape(), 1, 1).to_vector<float>())
            << size << "x" << size << " O " << O << " chunk at " << first;
      }
    }
  }
}

TEST(Upsample, RepeatsPixelsAndTheAdjointSumsBlocks) {
  const Tensor x = from_list({1, 2, 3, 4}).reshape({1, 1, 2, 2});
  EXPECT_EQ(upsample_nearest2d(x, 2).to_vector<float>(),
            (std::vector<float>{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}));
  EXPECT_EQ(upsample_nearest2d_backward(ones({1, 1, 4, 4}), 2).to_vector<float>(), (std::vector<float>{4, 4, 4, 4}));
  EXPECT_TRUE(contains(error_of([] { upsample_nearest2d(zeros({2, 2}), 2); }), "[upsample_nearest2d]"));
  EXPECT_TRUE(contains(error_of([] {
                         upsample_nearest2d_backward(zeros({1, 1, 3, 4}), 2);
                       }),
                       "[upsample_nearest2d_backward]"));
  EXPECT_TRUE(contains(error_of([] {
                         upsample_nearest2d_backward(zeros({1, 1, 3, 4}), 0);
                       }),
                       "[upsample_nearest2d_backward]"));
}
