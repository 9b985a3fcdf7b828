// conv2d and its two gradients against the convolution written as plain
// loops, in float64, over the shapes that take each path of
// tensor/cpu/conv.cpp: same-width stride 1 (3x3 padding 1, 5x5 padding 2,
// non-square images) and the general im2col (no or extra padding, stride 2);
// the input gradient as a convolution (stride 1, O <= C) and by col2im
// (O > C, stride 2, extra padding); a 1x1 kernel, which needs no im2col.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "tensor/ops.h"
#include "tensor/random.h"

using namespace tensor;

namespace {

struct Case {
  int64_t N, C, H, W, O, K, stride, pad;
};

// out[n, o, oh, ow] = sum_{c, kh, kw} w[o, c, kh, kw] x[n, c, oh*s - p + kh, ow*s - p + kw] (zero outside).
std::vector<double> direct_conv(const std::vector<double>& x, const std::vector<double>& w, const Case& k, int64_t HO,
                                int64_t WO) {
  std::vector<double> out(k.N * k.O * HO * WO, 0.0);
  for (int64_t n = 0; n < k.N; ++n)
    for (int64_t o = 0; o < k.O; ++o)
      for (int64_t oh = 0; oh < HO; ++oh)
        for (int64_t ow = 0; ow < WO; ++ow) {
          double acc = 0;
          for (int64_t c = 0; c < k.C; ++c)
            for (int64_t kh = 0; kh < k.K; ++kh)
              for (int64_t kw = 0; kw < k.K; ++kw) {
                const int64_t ih = oh * k.stride - k.pad + kh, iw = ow * k.stride - k.pad + kw;
                if (ih < 0 || ih >= k.H || iw < 0 || iw >= k.W) continue;
                acc += w[((o * k.C + c) * k.K + kh) * k.K + kw] * x[((n * k.C + c) * k.H + ih) * k.W + iw];
              }
          out[((n * k.O + o) * HO + oh) * WO + ow] = acc;
        }
  return out;
}

// grad_w[o, c, kh, kw] = sum_{n, oh, ow} g[n, o, oh, ow] x[n, c, oh*s - p + kh, ow*s - p + kw].
std::vector<double> direct_weight_grad(const std::vector<double>& g, const std::vector<double>& x, const Case& k,
                                       int64_t HO, int64_t WO) {
  std::vector<double> gw(k.O * k.C * k.K * k.K, 0.0);
  for (int64_t o = 0; o < k.O; ++o)
    for (int64_t c = 0; c < k.C; ++c)
      for (int64_t kh = 0; kh < k.K; ++kh)
        for (int64_t kw = 0; kw < k.K; ++kw) {
          double acc = 0;
          for (int64_t n = 0; n < k.N; ++n)
            for (int64_t oh = 0; oh < HO; ++oh)
              for (int64_t ow = 0; ow < WO; ++ow) {
                const int64_t ih = oh * k.stride - k.pad + kh, iw = ow * k.stride - k.pad + kw;
                if (ih < 0 || ih >= k.H || iw < 0 || iw >= k.W) continue;
                acc += g[((n * k.O + o) * HO + oh) * WO + ow] * x[((n * k.C + c) * k.H + ih) * k.W + iw];
              }
          gw[((o * k.C + c) * k.K + kh) * k.K + kw] = acc;
        }
  return gw;
}

// grad_x[n, c, ih, iw] = sum of g[n, o, oh, ow] w[o, c, kh, kw] over the (o, oh, ow, kh, kw) that read x[n, c, ih, iw].
std::vector<double> direct_input_grad(const std::vector<double>& g, const std::vector<double>& w, const Case& k,
                                      int64_t HO, int64_t WO) {
  std::vector<double> gx(k.N * k.C * k.H * k.W, 0.0);
  for (int64_t n = 0; n < k.N; ++n)
    for (int64_t o = 0; o < k.O; ++o)
      for (int64_t oh = 0; oh < HO; ++oh)
        for (int64_t ow = 0; ow < WO; ++ow)
          for (int64_t c = 0; c < k.C; ++c)
            for (int64_t kh = 0; kh < k.K; ++kh)
              for (int64_t kw = 0; kw < k.K; ++kw) {
                const int64_t ih = oh * k.stride - k.pad + kh, iw = ow * k.stride - k.pad + kw;
                if (ih < 0 || ih >= k.H || iw < 0 || iw >= k.W) continue;
                gx[((n * k.C + c) * k.H + ih) * k.W + iw] +=
                    g[((n * k.O + o) * HO + oh) * WO + ow] * w[((o * k.C + c) * k.K + kh) * k.K + kw];
              }
  return gx;
}

TEST(Conv2d, MatchesTheDirectLoopsOnEveryIm2colPath) {
  const Case cases[] = {
      {2, 3, 6, 6, 4, 3, 1, 1},  // same width: 3x3, padding 1
      {2, 2, 5, 9, 3, 3, 1, 1},  // same width, a non-square image
      {1, 2, 7, 6, 2, 5, 1, 2},  // same width: 5x5, padding 2 (two padded rows and columns)
      {2, 2, 6, 7, 3, 3, 1, 0},  // no padding: narrower output
      {2, 3, 6, 7, 2, 3, 1, 0},  // no padding, O <= C: the input gradient as a convolution with padding 2
      {1, 2, 4, 5, 2, 3, 1, 2},  // extra padding: wider output
      {2, 3, 7, 6, 2, 3, 2, 1},  // stride 2, 3x3, padding 1 (phase planes): an odd height
      {2, 2, 8, 8, 3, 3, 2, 1},  // the same on even sides
      {1, 2, 9, 5, 2, 3, 2, 1},  // the same on odd sides
      {2, 2, 7, 8, 2, 3, 2, 0},  // stride 2 without padding: the general gather
      {1, 1, 2, 2, 1, 3, 1, 1},  // a 3x3 kernel on a 2x2 image: every row touches the padding
      {3, 3, 9, 9, 2, 3, 1, 1},  // O <= C, padding 1: the input gradient as a convolution with padding 1
      {2, 3, 9, 9, 2, 1, 1, 0},  // 1x1: no im2col, one GEMM straight into grad_x
      {3, 2, 4, 5, 2, 3, 1, 3},  // padding 3 > kernel size - 1: no flipped convolution
  };
  Generator gen(11);
  for (const Case& k : cases) {
    SCOPED_TRACE(testing::Message() << "N" << k.N << " C" << k.C << " " << k.H << "x" << k.W << " O" << k.O << " K"
                                    << k.K << " stride " << k.stride << " pad " << k.pad);
    const Tensor x = randn({k.N, k.C, k.H, k.W}, gen, DType::Float64);
    const Tensor w = randn({k.O, k.C, k.K, k.K}, gen, DType::Float64);
    const Tensor out = conv2d(x, w, {}, k.stride, k.pad);
    const int64_t HO = out.shape()[2], WO = out.shape()[3];
    const std::vector<double> got = out.to_vector<double>();
    const std::vector<double> want = direct_conv(x.to_vector<double>(), w.to_vector<double>(), k, HO, WO);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) ASSERT_NEAR(got[i], want[i], 1e-12) << "output " << i;
    const Tensor g = randn(out.shape(), gen, DType::Float64);
    const std::vector<double> gw = conv2d_backward_weight(g, x, w.shape(), k.stride, k.pad).to_vector<double>();
    const std::vector<double> gw_want = direct_weight_grad(g.to_vector<double>(), x.to_vector<double>(), k, HO, WO);
    for (size_t i = 0; i < gw.size(); ++i) ASSERT_NEAR(gw[i], gw_want[i], 1e-12) << "weight gradient " << i;
    const std::vector<double> gx = conv2d_backward_input(g, w, x.shape(), k.stride, k.pad).to_vector<double>();
    const std::vector<double> gx_want = direct_input_grad(g.to_vector<double>(), w.to_vector<double>(), k, HO, WO);
    ASSERT_EQ(gx.size(), gx_want.size());
    for (size_t i = 0; i < gx.size(); ++i) ASSERT_NEAR(gx[i], gx_want[i], 1e-12) << "input gradient " << i;
  }
}

}  // namespace

// Float32 3x3 convolutions with padding 1 on images of at least 7 pixels a
// side and 16 channels in and out take Winograd's algorithms
// (tensor/cpu/conv_winograd.cpp): F(2x2, 3x3) forward and, for O <= C, for
// the input gradient; F(3x3, 2x2) for the weight gradient. Against the
// float64 loops, to float32 rounding (a few ulp per term of a sum of
// `terms`), on even and odd sides (an odd side's last tile is cut), with a
// bias, and on the shapes that stay on im2col.
void expect_close_to_float32_rounding(const std::vector<float>& got, const std::vector<double>& want, double terms,
                                      const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  double worst = 0, scale = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    worst = std::max(worst, std::abs(got[i] - want[i]));
    scale = std::max(scale, std::abs(want[i]));
  }
  EXPECT_LT(worst, 2e-6 * scale * std::sqrt(terms)) << what << ", largest value " << scale;
}

TEST(Conv2d, Float32WinogradMatchesTheDirectLoops) {
  const std::vector<Case> cases = {
      {2, 16, 12, 12, 20, 3, 1, 1},  // even sides
      {1, 24, 11, 13, 16, 3, 1, 1},  // odd sides, O <= C: the input gradient takes it too
      {2, 32, 14, 14, 32, 3, 1, 1},  // a U-Net shape at 14x14
      {2, 16, 7, 7, 24, 3, 1, 1},    // 7x7, the smallest side that takes it
      {2, 16, 6, 6, 16, 3, 1, 1},    // too small an image: im2col
      {2, 4, 12, 12, 16, 3, 1, 1},   // too few channels: im2col
  };
  Generator gen(12);
  auto f64 = [](const Tensor& t) { return t.to(DType::Float64).to_vector<double>(); };
  for (const Case& k : cases) {
    SCOPED_TRACE(testing::Message() << "N" << k.N << " C" << k.C << " " << k.H << "x" << k.W << " O" << k.O);
    const Tensor x = randn({k.N, k.C, k.H, k.W}, gen), w = randn({k.O, k.C, 3, 3}, gen), bias = randn({k.O}, gen);
    const Tensor out = conv2d(x, w, bias, 1, 1);
    std::vector<double> want = direct_conv(f64(x), f64(w), k, k.H, k.W);
    const std::vector<float> b = bias.to_vector<float>();
    for (size_t i = 0; i < want.size(); ++i) want[i] += b[(i / (k.H * k.W)) % k.O];
    expect_close_to_float32_rounding(out.to_vector<float>(), want, 9.0 * k.C, "forward");
    const Tensor g = randn(out.shape(), gen);
    expect_close_to_float32_rounding(conv2d_backward_input(g, w, x.shape(), 1, 1).to_vector<float>(),
                                     direct_input_grad(f64(g), f64(w), k, k.H, k.W), 9.0 * k.O, "input gradient");
    expect_close_to_float32_rounding(conv2d_backward_weight(g, x, w.shape(), 1, 1).to_vector<float>(),
                                     direct_weight_grad(f64(g), f64(x), k, k.H, k.W), double(k.N * k.H * k.W),
                                     "weight gradient");
  }
}
