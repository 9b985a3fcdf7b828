// Gradchecks and forward references for matmul (2-D, batched, broadcast
// batch, 1-D operands, transposed inputs), conv2d (stride 1/2, padding 0/1,
// 1x1 and 3x3, with and without bias) and nearest upsampling.
// Shapes: N batch, C input channels, O output channels, H W spatial size.
#include "tests/autograd/op_check.h"

using namespace op_check;
namespace ag = autograd;
namespace t = tensor;

namespace {

// out[m][n] = sum_k a[m][k] b[k][n], the definition, on (M, K) and (K, N) values.
std::vector<double> naive_matmul(const std::vector<double>& a, const std::vector<double>& b, int64_t M, int64_t K,
                                 int64_t N) {
  std::vector<double> out(M * N, 0.0);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n)
      for (int64_t k = 0; k < K; ++k) out[m * N + n] += a[m * K + k] * b[k * N + n];
  return out;
}

// Direct convolution by its definition (cross-correlation, zero padding).
std::vector<double> naive_conv2d(const Tensor& x, const Tensor& w, const Tensor& bias, int64_t stride,
                                 int64_t padding) {
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const int64_t O = w.size(0), KH = w.size(2), KW = w.size(3);
  const int64_t HO = (H + 2 * padding - KH) / stride + 1, WO = (W + 2 * padding - KW) / stride + 1;
  const std::vector<double> xv = x.to_vector<double>(), wv = w.to_vector<double>();
  std::vector<double> out;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < O; ++o)
      for (int64_t oh = 0; oh < HO; ++oh)
        for (int64_t ow = 0; ow < WO; ++ow) {
          double acc = bias.defined() ? bias.to_vector<double>()[o] : 0.0;
          for (int64_t c = 0; c < C; ++c)
            for (int64_t kh = 0; kh < KH; ++kh)
              for (int64_t kw = 0; kw < KW; ++kw) {
                const int64_t ih = oh * stride - padding + kh, iw = ow * stride - padding + kw;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                acc += xv[((n * C + c) * H + ih) * W + iw] * wv[((o * C + c) * KH + kh) * KW + kw];
              }
          out.push_back(acc);
        }
  return out;
}

const MultiFunction kMatmul = [](const std::vector<Variable>& in) { return ag::matmul(in[0], in[1]); };

}  // namespace

TEST(GradcheckMatmul, TwoDimensionalMatchesDefinition) {
  const Tensor a = uniform({3, 5}, -1, 1, 1), b = uniform({5, 4}, -1, 1, 2);
  expect_close("matmul 2-D forward", ag::matmul(Variable(a), Variable(b)).data().to_vector<double>(),
               naive_matmul(a.to_vector<double>(), b.to_vector<double>(), 3, 5, 4));
  expect_gradients_all_layouts("matmul (3, 5) @ (5, 4)", kMatmul, {a, b});
}

TEST(GradcheckMatmul, Batched) {
  const Tensor a = uniform({2, 3, 5}, -1, 1, 1), b = uniform({2, 5, 4}, -1, 1, 2);
  const Tensor out = ag::matmul(Variable(a), Variable(b)).data();
  ASSERT_EQ(out.shape(), (Shape{2, 3, 4}));
  for (int64_t i = 0; i < 2; ++i)
    expect_close("batched forward " + std::to_string(i), out.select(0, i).to_vector<double>(),
                 naive_matmul(a.select(0, i).to_vector<double>(), b.select(0, i).to_vector<double>(), 3, 5, 4));
  expect_gradients_all_layouts("matmul (2, 3, 5) @ (2, 5, 4)", kMatmul, {a, b});
}

TEST(GradcheckMatmul, BroadcastBatch) {
  // A shared matrix against a batch, and batch dims (2, 1) x (3,) -> (2, 3).
  expect_gradients_all_layouts("matmul (2, 3, 5) @ (5, 4)", kMatmul,
                               {uniform({2, 3, 5}, -1, 1, 1), uniform({5, 4}, -1, 1, 2)});
  expect_gradients_all_layouts("matmul (3, 5) @ (2, 5, 4)", kMatmul,
                               {uniform({3, 5}, -1, 1, 3), uniform({2, 5, 4}, -1, 1, 4)});
  expect_gradients_all_layouts("matmul (2, 1, 2, 3) @ (3, 3, 2)", kMatmul,
                               {uniform({2, 1, 2, 3}, -1, 1, 5), uniform({3, 3, 2}, -1, 1, 6)});
}

TEST(GradcheckMatmul, AddmmIsBiasPlusProduct) {
  const Tensor bias = uniform({4}, -1, 1, 7), a = uniform({3, 5}, -1, 1, 1), b = uniform({5, 4}, -1, 1, 2);
  const std::vector<double> product = naive_matmul(a.to_vector<double>(), b.to_vector<double>(), 3, 5, 4);
  std::vector<double> want(product.size());
  for (size_t i = 0; i < want.size(); ++i) want[i] = product[i] + bias.to_vector<double>()[i % 4];
  expect_close("addmm forward", ag::addmm(Variable(bias), Variable(a), Variable(b)).data().to_vector<double>(), want);
  const MultiFunction f = [](const std::vector<Variable>& in) { return ag::addmm(in[0], in[1], in[2]); };
  expect_gradients_all_layouts("addmm (4) + (3, 5) @ (5, 4)", f, {bias, a, b});
}

TEST(GradcheckMatmul, OneDimensionalOperands) {
  const Tensor v = uniform({5}, -1, 1, 1), m = uniform({5, 4}, -1, 1, 2), w = uniform({5}, -1, 1, 3);
  // vector @ matrix -> (4,); matrix @ vector -> (3,); vector @ vector -> ().
  EXPECT_EQ(ag::matmul(Variable(v), Variable(m)).shape(), (Shape{4}));
  EXPECT_EQ(ag::matmul(Variable(m.t()), Variable(v)).shape(), (Shape{4}));
  const Variable dot = ag::matmul(Variable(v), Variable(w));
  EXPECT_EQ(dot.shape(), (Shape{}));
  const std::vector<double> vv = v.to_vector<double>(), wv = w.to_vector<double>();
  double want = 0;
  for (int i = 0; i < 5; ++i) want += vv[i] * wv[i];
  EXPECT_NEAR(dot.item(), want, 1e-12);
  expect_gradients_all_layouts("matmul (5,) @ (5, 4)", kMatmul, {v, m});
  expect_gradients_all_layouts("matmul (4, 5) @ (5,)", kMatmul, {uniform({4, 5}, -1, 1, 4), v});
  expect_gradients_all_layouts("matmul (5,) @ (5,)", kMatmul, {v, w});
  expect_gradients_all_layouts("matmul (5,) @ (2, 5, 4)", kMatmul, {v, uniform({2, 5, 4}, -1, 1, 5)});
  expect_gradients_all_layouts("matmul (2, 4, 5) @ (5,)", kMatmul, {uniform({2, 4, 5}, -1, 1, 6), v});
}

TEST(GradcheckMatmul, TransposedInsideTheFunction) {
  // a^T b and a b^T through the differentiable transpose (BLAS reads the
  // transposed operand in place).
  const MultiFunction at_b = [](const std::vector<Variable>& in) {
    return ag::matmul(ag::transpose(in[0], 0, 1), in[1]);
  };
  expect_gradients_all_layouts("matmul a^T b", at_b, {uniform({5, 3}, -1, 1, 1), uniform({5, 4}, -1, 1, 2)});
  const MultiFunction a_bt = [](const std::vector<Variable>& in) {
    return ag::matmul(in[0], ag::transpose(in[1], -1, -2));
  };
  expect_gradients_all_layouts("matmul a b^T", a_bt, {uniform({2, 3, 5}, -1, 1, 3), uniform({2, 4, 5}, -1, 1, 4)});
}

// ---------------------------------------------------------------- conv2d

namespace {
struct ConvCase {
  Shape x, w;
  int64_t stride, padding;
  bool bias;
};
const ConvCase kConvCases[] = {
    {{2, 3, 5, 5}, {4, 3, 3, 3}, 1, 1, true},   // 3x3 "same"
    {{2, 3, 5, 5}, {4, 3, 3, 3}, 1, 0, false},  // 3x3 "valid"
    {{2, 2, 6, 6}, {3, 2, 3, 3}, 2, 1, true},   // stride-2 down-sampling, as in the U-Net
    {{1, 2, 5, 5}, {2, 2, 3, 3}, 2, 0, false},  // stride 2, odd size, no padding
    {{2, 3, 4, 4}, {5, 3, 1, 1}, 1, 0, true},   // 1x1: the no-im2col path
    {{2, 3, 4, 4}, {2, 3, 1, 1}, 2, 1, false},  // 1x1 with stride and padding: im2col again
    {{1, 1, 4, 5}, {2, 1, 3, 2}, 1, 1, true},   // non-square input and kernel
    {{1, 2, 3, 4}, {2, 2, 3, 3}, 2, 2, true},   // padding 2: some output columns read only zeros
    {{1, 1, 7, 7}, {1, 1, 2, 2}, 3, 1, false},  // stride 3 skips input columns
};
}  // namespace

TEST(GradcheckConv2d, ForwardMatchesDirectConvolution) {
  uint64_t seed = 1;
  for (const ConvCase& c : kConvCases) {
    const Tensor x = uniform(c.x, -1, 1, seed++), w = uniform(c.w, -1, 1, seed++);
    const Tensor b = c.bias ? uniform({c.w[0]}, -1, 1, seed++) : Tensor();
    for (Layout layout : kLayouts) {
      const Variable out = ag::conv2d(Variable(with_layout(x, layout)), Variable(with_layout(w, layout)),
                                      c.bias ? Variable(b) : Variable(), c.stride, c.padding);
      expect_close("conv2d x " + t::shape_str(c.x) + " w " + t::shape_str(c.w) + " [" + layout_name(layout) + "]",
                   out.data().to_vector<double>(), naive_conv2d(x, w, b, c.stride, c.padding), 1e-12, 1e-12);
    }
  }
}

TEST(GradcheckConv2d, BackwardAllConfigurations) {
  uint64_t seed = 100;
  for (const ConvCase& c : kConvCases) {
    std::vector<Tensor> inputs{uniform(c.x, -1, 1, seed++), uniform(c.w, -1, 1, seed++)};
    if (c.bias) inputs.push_back(uniform({c.w[0]}, -1, 1, seed++));
    const int64_t stride = c.stride, padding = c.padding;
    const MultiFunction f = [stride, padding](const std::vector<Variable>& in) {
      return ag::conv2d(in[0], in[1], in.size() > 2 ? in[2] : Variable(), stride, padding);
    };
    expect_gradients_all_layouts("conv2d x " + t::shape_str(c.x) + " w " + t::shape_str(c.w) +
                                     " stride " + std::to_string(stride) + " padding " + std::to_string(padding),
                                 f, inputs);
  }
}

TEST(GradcheckConv2d, OnlyTheWeightRequiresGrad) {
  // The input is data (no grad): the rule must skip grad_x and still give grad_w.
  const Tensor x = uniform({2, 3, 5, 5}, -1, 1, 1);
  const MultiFunction f = [x](const std::vector<Variable>& in) { return ag::conv2d(Variable(x), in[0], {}, 1, 1); };
  expect_gradients("conv2d weight only", f, {uniform({4, 3, 3, 3}, -1, 1, 2)});
}

TEST(GradcheckUpsample, NearestMatchesDefinitionAndGradchecks) {
  const Tensor x = uniform({2, 3, 2, 3}, -1, 1);
  for (int64_t scale : {1, 2, 3}) {
    const Tensor y = ag::upsample_nearest2d(Variable(x), scale).data();
    ASSERT_EQ(y.shape(), (Shape{2, 3, 2 * scale, 3 * scale}));
    // y[n, c, i, j] = x[n, c, i / scale, j / scale]
    std::vector<double> want;
    const std::vector<double> xv = x.to_vector<double>();
    for (int64_t nc = 0; nc < 6; ++nc)
      for (int64_t i = 0; i < 2 * scale; ++i)
        for (int64_t j = 0; j < 3 * scale; ++j) want.push_back(xv[(nc * 2 + i / scale) * 3 + j / scale]);
    expect_close("upsample x" + std::to_string(scale), y.to_vector<double>(), want);
    const MultiFunction f = [scale](const std::vector<Variable>& in) { return ag::upsample_nearest2d(in[0], scale); };
    expect_gradients_all_layouts("upsample_nearest2d x" + std::to_string(scale), f, {x});
  }
}
