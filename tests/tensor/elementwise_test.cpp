// Elementwise ops: NumPy broadcasting (values, shapes and error messages),
// the kernel's fast paths (contiguous, broadcast scalar on either side) and
// its general strided path, in-place ops through views, comparisons, where.
#include <gtest/gtest.h>

#include <cmath>

#include "tensor/ops.h"
#include "error_util.h"

using namespace tensor;

namespace {
using tensor_test::contains;
using tensor_test::error_of;
}  // namespace

TEST(Broadcast, ShapesFollowNumPy) {
  EXPECT_EQ(broadcast_shapes({3, 1}, {1, 4}, "t"), (Shape{3, 4}));
  EXPECT_EQ(broadcast_shapes({2, 3, 4}, {4}, "t"), (Shape{2, 3, 4}));
  EXPECT_EQ(broadcast_shapes({}, {2, 2}, "t"), (Shape{2, 2}));
  EXPECT_EQ(broadcast_shapes({5, 1, 3}, {4, 1}, "t"), (Shape{5, 4, 3}));
  EXPECT_EQ(broadcast_shapes({0, 1}, {1, 3}, "t"), (Shape{0, 3}));
}

TEST(Broadcast, ColumnPlusRowIsAnOuterSum) {
  const Tensor col = from_list({0, 10, 20}).reshape({3, 1});
  const Tensor row = from_list({1, 2, 3, 4}).reshape({1, 4});
  const Tensor s = add(col, row);
  EXPECT_EQ(s.shape(), (Shape{3, 4}));
  EXPECT_EQ(s.to_vector<float>(), (std::vector<float>{1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24}));
  // Both orders, and the other ops, broadcast the same way.
  EXPECT_EQ(sub(row, col).to_vector<float>()[5], 2.0f - 10.0f);
  EXPECT_EQ(mul(row, col).to_vector<float>()[11], 80.0f);
}

TEST(Broadcast, ScalarOnEitherSideAndLeadingDims) {
  const Tensor x = arange(1, 7).reshape({2, 3});
  EXPECT_EQ(div(x, scalar(2)).to_vector<float>(), (std::vector<float>{0.5, 1, 1.5, 2, 2.5, 3}));
  EXPECT_EQ(div(scalar(6), x).to_vector<float>(), (std::vector<float>{6, 3, 2, 1.5, 1.2f, 1}));
  const Tensor batch = arange(0, 12).reshape({2, 2, 3});
  EXPECT_EQ(add(batch, x).to_vector<float>()[11], 11.0f + 6.0f);
  EXPECT_EQ(add(x, batch).shape(), (Shape{2, 2, 3}));
}

TEST(Broadcast, ErrorNamesTheOpAndBothShapes) {
  const std::string msg = error_of([] { add(zeros({2, 3}), zeros({4})); });
  EXPECT_TRUE(contains(msg, "[add]")) << msg;
  EXPECT_TRUE(contains(msg, "(2, 3)")) << msg;
  EXPECT_TRUE(contains(msg, "(4,)")) << msg;
  EXPECT_TRUE(contains(error_of([] { mul(zeros({3, 2}), zeros({2, 3})); }), "[mul]"));
  EXPECT_TRUE(contains(error_of([] { where(ones({2}), zeros({3}), zeros({3})); }), "[where]"));
  EXPECT_TRUE(contains(error_of([] { maximum(zeros({2}), zeros({5})); }), "[maximum]"));
}

TEST(Elementwise, StridedAndExpandedOperandsFloat32) {
  // Exercises each inner-loop case of the binary kernel: all contiguous,
  // b broadcast (stride 0), a broadcast, and a transposed (general) operand.
  const Tensor a = arange(0, 12).reshape({3, 4});
  const Tensor bias = from_list({100, 200, 300}).reshape({3, 1});
  EXPECT_EQ(add(a, bias).to_vector<float>()[5], 205.0f);
  EXPECT_EQ(add(bias, a).to_vector<float>()[11], 311.0f);
  const Tensor at = arange(0, 12).reshape({4, 3}).t();  // (3, 4), strides (1, 3)
  const std::vector<float> s = add(a, at).to_vector<float>();
  // a[i][j] = 4i + j, at[i][j] = 3j + i
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) EXPECT_EQ(s[i * 4 + j], static_cast<float>(4 * i + j + 3 * j + i));
  // A unary op on a narrowed view reads only the view.
  const Tensor window = arange(0, 20).reshape({4, 5}).narrow(1, 1, 3);
  EXPECT_EQ(neg(window).to_vector<float>(), (std::vector<float>{-1, -2, -3, -6, -7, -8, -11, -12, -13, -16, -17, -18}));
}

TEST(Elementwise, LargeTensorsMatchSmallOnesAcrossThreads) {
  // 1M elements: several threads each take a slice; the values must equal
  // what a one-element-at-a-time reference gives.
  const Tensor x = arange(0, 1 << 20).reshape({1024, 1024});
  const Tensor y = mul(add(x.t(), 1.0), 0.5);
  const std::vector<float> v = y.to_vector<float>();
  for (int64_t i : {0, 1, 1023, 1024, 500000, (1 << 20) - 1}) {
    const int64_t r = i / 1024, c = i % 1024;
    EXPECT_EQ(v[i], (static_cast<float>(c * 1024 + r) + 1.0f) * 0.5f) << i;
  }
}

TEST(Elementwise, UnaryValues) {
  const Tensor x = from_list({-2, -0.5, 0, 0.5, 2}, DType::Float64);
  auto v = [](const Tensor& t) { return t.to_vector<double>(); };
  EXPECT_EQ(v(relu(x)), (std::vector<double>{0, 0, 0, 0.5, 2}));
  EXPECT_EQ(v(abs(x)), (std::vector<double>{2, 0.5, 0, 0.5, 2}));
  EXPECT_EQ(v(sign(x)), (std::vector<double>{-1, -1, 0, 1, 1}));
  EXPECT_EQ(v(floor(x)), (std::vector<double>{-2, -1, 0, 0, 2}));
  EXPECT_EQ(v(clamp(x, -1, 1)), (std::vector<double>{-1, -0.5, 0, 0.5, 1}));
  EXPECT_EQ(v(square(x)), (std::vector<double>{4, 0.25, 0, 0.25, 4}));
  EXPECT_EQ(v(pow(x, 3.0)), (std::vector<double>{-8, -0.125, 0, 0.125, 8}));
  EXPECT_DOUBLE_EQ(v(sigmoid(x))[2], 0.5);
  EXPECT_DOUBLE_EQ(v(gelu(x))[4], 2 * 0.5 * (1 + std::erf(2 / std::sqrt(2.0))));
  // gelu_grad is the derivative of gelu: compare with a central difference.
  const double h = 1e-6;
  const std::vector<double> up = v(gelu(add(x, h))), down = v(gelu(add(x, -h))), d = v(gelu_grad(x));
  for (size_t i = 0; i < d.size(); ++i) EXPECT_NEAR(d[i], (up[i] - down[i]) / (2 * h), 1e-8);
  // silu_backward(g, x) is g times the derivative of silu: a central difference, scaled by g
  // (which broadcasts); in float32 it agrees with the composed rule it replaced (the same
  // bits in a portable build; -march=native may contract a multiply-add into an FMA).
  const Tensor g = from_list({0.5, -2, 1, 3, -0.25}, DType::Float64);
  const std::vector<double> s_up = v(silu(add(x, h))), s_down = v(silu(add(x, -h))), gv = v(g);
  const std::vector<double> s_d = v(silu_backward(g, x)), s_d1 = v(silu_backward(scalar(1.0, DType::Float64), x));
  for (size_t i = 0; i < s_d.size(); ++i) {
    EXPECT_NEAR(s_d1[i], (s_up[i] - s_down[i]) / (2 * h), 1e-8);
    EXPECT_NEAR(s_d[i], gv[i] * (s_up[i] - s_down[i]) / (2 * h), 1e-8);
  }
  const Tensor xf = from_list({-90, -20, -3.5, -1, -0.25, 0, 0.3, 1, 2.5, 7, 30, 90});
  const Tensor gf = from_list({1, -3, 0.5, 2, -1, 4, 0.25, -0.5, 1.5, 3, -2, 1});
  const Tensor s = sigmoid(xf);
  const std::vector<float> fused = silu_backward(gf, xf).to_vector<float>();
  const std::vector<float> composed = mul(gf, mul(s, add(mul(xf, add(neg(s), 1.0)), 1.0))).to_vector<float>();
  for (size_t i = 0; i < fused.size(); ++i)
    EXPECT_NEAR(fused[i], composed[i], 1e-6f * (1 + std::abs(composed[i]))) << i;
  EXPECT_THROW(clamp(x, 1, -1), Error);
}

TEST(Elementwise, ExtremeInputsStayFinite) {
  const Tensor x = from_list({-1000, -100, 100, 1000});
  for (float s : sigmoid(x).to_vector<float>()) EXPECT_TRUE(std::isfinite(s));
  EXPECT_EQ(sigmoid(x).to_vector<float>()[0], 0.0f);
  EXPECT_EQ(sigmoid(x).to_vector<float>()[3], 1.0f);
  for (float s : silu(x).to_vector<float>()) EXPECT_TRUE(std::isfinite(s));
  EXPECT_EQ(tanh(x).to_vector<float>()[3], 1.0f);
}

TEST(Elementwise, ComparisonsGiveOnesAndZerosAndWhereSelects) {
  const Tensor a = from_list({1, 2, 3}), b = from_list({3, 2, 1});
  EXPECT_EQ(lt(a, b).to_vector<float>(), (std::vector<float>{1, 0, 0}));
  EXPECT_EQ(le(a, b).to_vector<float>(), (std::vector<float>{1, 1, 0}));
  EXPECT_EQ(gt(a, b).to_vector<float>(), (std::vector<float>{0, 0, 1}));
  EXPECT_EQ(ge(a, b).to_vector<float>(), (std::vector<float>{0, 1, 1}));
  EXPECT_EQ(eq(a, b).to_vector<float>(), (std::vector<float>{0, 1, 0}));
  EXPECT_EQ(ne(a, b).to_vector<float>(), (std::vector<float>{1, 0, 1}));
  EXPECT_EQ(maximum(a, b).to_vector<float>(), (std::vector<float>{3, 2, 3}));
  EXPECT_EQ(minimum(a, b).to_vector<float>(), (std::vector<float>{1, 2, 1}));
  EXPECT_EQ(where(gt(a, b), a, b).to_vector<float>(), (std::vector<float>{3, 2, 3}));
  // where broadcasts all three: a (3, 1) condition against a row and a scalar.
  const Tensor cond = from_list({1, 0, 1}).reshape({3, 1});
  EXPECT_EQ(where(cond, from_list({7, 8}), scalar(0)).to_vector<float>(), (std::vector<float>{7, 8, 0, 0, 7, 8}));
}

TEST(InPlace, OpsOnViewsAreSeenThroughTheBase) {
  Tensor base = zeros({3, 4});
  Tensor col = base.select(1, 2);  // a strided view: stride 4
  add_(col, from_list({1, 2, 3}));
  Tensor block = base.narrow(0, 1, 2).narrow(1, 0, 2);
  mul_(block, scalar(0));
  add_(block, 5.0);
  Tensor t = base.t();
  sub_(t, ones({4, 3}));  // through a transposed view
  Tensor row = base.select(0, 0);
  div_(row, full({4}, 2.0));
  EXPECT_EQ(base.to_vector<float>(), (std::vector<float>{-0.5, -0.5, 0, -0.5,  //
                                                         4, 4, 1, -1,        //
                                                         4, 4, 2, -1}));
  Tensor x = from_list({1, 2});
  add_scaled_(x, from_list({10, 20}), 0.5);
  EXPECT_EQ(x.to_vector<float>(), (std::vector<float>{6, 12}));
  unary_(x, UnaryOp::Sqrt);
  EXPECT_FLOAT_EQ(x.to_vector<float>()[0], std::sqrt(6.0f));
}

TEST(InPlace, OperandThatViewsTheOutputIsReadBeforeItIsOverwritten) {
  // x += x^T: element (1, 0) must add the original (0, 1), not the updated one.
  Tensor x = arange(0, 9).reshape({3, 3});
  add_(x, x.t());
  EXPECT_EQ(x.to_vector<float>(), (std::vector<float>{0, 4, 8, 4, 8, 12, 8, 12, 16}));
  // An in-place transpose through copy_, and a shifted window of itself.
  Tensor y = arange(0, 4).reshape({2, 2});
  y.copy_(y.t());
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{0, 2, 1, 3}));
  Tensor z = arange(0, 6);
  Tensor head = z.narrow(0, 1, 5);
  sub_(head, z.narrow(0, 0, 5));  // z[i] -= z[i - 1] for i >= 1, all from the old values
  EXPECT_EQ(z.to_vector<float>(), (std::vector<float>{0, 1, 1, 1, 1, 1}));
  // The same view on both sides needs no copy and is still right.
  mul_(z, z);
  EXPECT_EQ(z.to_vector<float>(), (std::vector<float>{0, 1, 1, 1, 1, 1}));
}

TEST(InPlace, WritingIntoAnExpandedTensorThrows) {
  Tensor e = zeros({3, 1}).expand({3, 4});
  EXPECT_TRUE(contains(error_of([&] { add_(e, ones({3, 4})); }), "[add_]"));
  EXPECT_TRUE(contains(error_of([&] { e.copy_(ones({3, 4})); }), "[copy_]"));
  EXPECT_TRUE(contains(error_of([&] { unary_(e, UnaryOp::Exp); }), "[unary_]"));
  e.fill_(2);  // every position gets the same value: allowed
  EXPECT_EQ(e.to_vector<float>(), std::vector<float>(12, 2.0f));
}

TEST(InPlace, CannotGrowTheLeftOperand) {
  Tensor row = zeros({4});
  const std::string msg = error_of([&] { add_(row, zeros({3, 4})); });
  EXPECT_TRUE(contains(msg, "[add_]")) << msg;
  EXPECT_TRUE(contains(msg, "(3, 4)")) << msg;
}

TEST(Errors, DtypeMixAndIntegerInputsNameTheOp) {
  std::string msg = error_of([] { add(zeros({2}), zeros({2}, DType::Float64)); });
  EXPECT_TRUE(contains(msg, "[add]") && contains(msg, "float32") && contains(msg, "float64")) << msg;
  msg = error_of([] { exp(zeros({2}, DType::Int64)); });
  EXPECT_TRUE(contains(msg, "[exp]") && contains(msg, "int64")) << msg;
  msg = error_of([] { matmul(zeros({2, 2}), zeros({2, 2}, DType::Float64)); });
  EXPECT_TRUE(contains(msg, "[matmul]")) << msg;
  msg = error_of([] { add(Tensor(), zeros({1})); });
  EXPECT_TRUE(contains(msg, "[add]") && contains(msg, "undefined")) << msg;
}

TEST(Errors, DeviceMixAndMissingBackend) {
  // This build has no CUDA backend: asking for CUDA memory must say so, not crash.
  if (cuda_built()) GTEST_SKIP() << "CUDA build: device mixing is covered by the CUDA tests";
  const std::string msg = error_of([] { zeros({2}, DType::Float32, Device::CUDA); });
  EXPECT_TRUE(contains(msg, "cuda") || contains(msg, "CUDA")) << msg;
  EXPECT_TRUE(contains(error_of([] { zeros({2}).to(Device::CUDA); }), "cuda"));
}
