// Gradchecks (float64 finite differences) and forward references for every
// elementwise op in autograd/ops.h: binary ops with broadcasting, unary ops
// (inputs chosen away from kinks and outside domains' edges), and where.
#include <cmath>

#include "tests/autograd/op_check.h"

using namespace op_check;
namespace ag = autograd;
namespace t = tensor;

namespace {

// The broadcasting cases every binary op runs: equal shapes, a column times a
// row, a 0-dim scalar on either side, and a missing leading dim.
struct BroadcastCase {
  Shape a, b;
};
const BroadcastCase kBroadcastCases[] = {
    {{3, 4}, {3, 4}}, {{3, 1}, {1, 4}}, {{3, 4}, {}}, {{}, {3, 4}}, {{2, 3, 4}, {3, 4}}, {{4}, {2, 3, 1}},
};

// Runs check_binary on every broadcasting case, with a in [a_lo, a_hi) and b in [b_lo, b_hi).
void check_binary_broadcasts(const std::string& name, const BinaryFn& op,
                             const std::function<double(double, double)>& ref, double a_lo, double a_hi, double b_lo,
                             double b_hi) {
  uint64_t seed = 10;
  for (const BroadcastCase& c : kBroadcastCases) {
    check_binary(name, op, ref, uniform(c.a, a_lo, a_hi, seed), uniform(c.b, b_lo, b_hi, seed + 1));
    seed += 2;
  }
}

}  // namespace

TEST(GradcheckBinary, Add) {
  check_binary_broadcasts("add", [](auto& a, auto& b) { return a + b; }, [](double a, double b) { return a + b; }, -2,
                          2, -2, 2);
}
TEST(GradcheckBinary, Sub) {
  check_binary_broadcasts("sub", [](auto& a, auto& b) { return a - b; }, [](double a, double b) { return a - b; }, -2,
                          2, -2, 2);
}
TEST(GradcheckBinary, Mul) {
  check_binary_broadcasts("mul", [](auto& a, auto& b) { return a * b; }, [](double a, double b) { return a * b; }, -2,
                          2, -2, 2);
}
TEST(GradcheckBinary, DivAwayFromZeroDenominator) {
  check_binary_broadcasts("div", [](auto& a, auto& b) { return a / b; }, [](double a, double b) { return a / b; }, -2,
                          2, 0.5, 2);
}
TEST(GradcheckBinary, PowOfPositiveBase) {
  check_binary_broadcasts("pow", [](auto& a, auto& b) { return ag::pow(a, b); },
                          [](double a, double b) { return std::pow(a, b); }, 0.5, 2, -1.5, 1.5);
}
TEST(GradcheckBinary, MaximumAndMinimumWithoutTies) {
  // a and b from different seeds: no pair lies within a finite-difference step.
  check_binary_broadcasts("maximum", [](auto& a, auto& b) { return ag::maximum(a, b); },
                          [](double a, double b) { return std::max(a, b); }, -1, 1, -1, 1);
  check_binary_broadcasts("minimum", [](auto& a, auto& b) { return ag::minimum(a, b); },
                          [](double a, double b) { return std::min(a, b); }, -1, 1, -1, 1);
}

TEST(GradcheckBinary, MaximumSplitsTiesEvenly) {
  // At a tie the rule hands each side half the gradient (a subgradient, as in PyTorch).
  ag::Variable a(t::from_list({1.0, 2.0, 3.0}, DType::Float64), true);
  ag::Variable b(t::from_list({1.0, 5.0, 0.0}, DType::Float64), true);
  ag::sum(ag::maximum(a, b)).backward();
  EXPECT_EQ(a.grad().to_vector<double>(), (std::vector<double>{0.5, 0, 1}));
  EXPECT_EQ(b.grad().to_vector<double>(), (std::vector<double>{0.5, 1, 0}));
}

TEST(GradcheckBinary, SameVariableOnBothSides) {
  // x * x and x / x: one leaf reached by two edges of one node.
  const MultiFunction square = [](const std::vector<Variable>& in) { return in[0] * in[0]; };
  expect_gradients_all_layouts("x * x", square, {uniform({3, 4}, -2, 2)});
  const MultiFunction ratio = [](const std::vector<Variable>& in) { return (in[0] + 3.0) / in[0]; };
  expect_gradients_all_layouts("(x + 3) / x", ratio, {uniform({3, 4}, 0.5, 2)});
}

TEST(GradcheckBinary, ExpandedOperandInsideTheFunction) {
  // A stride-0 operand: a (3, 1) column expanded to (3, 4) before the op.
  const MultiFunction f = [](const std::vector<Variable>& in) {
    return ag::expand(in[0], {3, 4}) * in[1] + ag::expand(in[0], {2, 3, 4});
  };
  expect_gradients_all_layouts("expand then mul", f, {uniform({3, 1}, -1, 1), uniform({3, 4}, -1, 1, 2)});
}

TEST(GradcheckBinary, Where) {
  const Tensor cond = t::gt(uniform({3, 4}, -1, 1, 7), t::scalar(0.0, DType::Float64));
  ASSERT_GT(t::sum(cond).item(), 0);  // both branches are taken
  ASSERT_LT(t::sum(cond).item(), 12);
  const std::vector<double> c = cond.to_vector<double>();
  const Tensor a = uniform({3, 4}, -1, 1, 8), b = uniform({3, 4}, -1, 1, 9);
  const std::vector<double> av = a.to_vector<double>(), bv = b.to_vector<double>();
  const std::vector<double> got = ag::where(cond, Variable(a), Variable(b)).data().to_vector<double>();
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], c[i] != 0 ? av[i] : bv[i]);
  const MultiFunction f = [cond](const std::vector<Variable>& in) { return ag::where(cond, in[0], in[1]); };
  expect_gradients_all_layouts("where", f, {a, b});
  // Broadcast a (3, 1) column against a 0-dim b.
  const MultiFunction g = [cond](const std::vector<Variable>& in) { return ag::where(cond, in[0], in[1]); };
  expect_gradients("where broadcast", g, {uniform({3, 1}, -1, 1, 10), uniform({}, -1, 1, 11)});
}

// ---------------------------------------------------------------- unary

TEST(GradcheckUnary, ScalarArithmetic) {
  const Tensor x = uniform({3, 4}, -2, 2);
  check_unary("add scalar", [](auto& v) { return v + 1.5; }, [](double v) { return v + 1.5; }, x);
  check_unary("mul scalar", [](auto& v) { return v * -2.5; }, [](double v) { return v * -2.5; }, x);
  check_unary("scalar minus", [](auto& v) { return 3.0 - v; }, [](double v) { return 3.0 - v; }, x);
  check_unary("divide by scalar", [](auto& v) { return v / 4.0; }, [](double v) { return v / 4.0; }, x);
  check_unary("neg", [](auto& v) { return -v; }, [](double v) { return -v; }, x);
}
TEST(GradcheckUnary, ExpLogSqrtRsqrtReciprocal) {
  const Tensor any = uniform({3, 4}, -2, 2), positive = uniform({3, 4}, 0.5, 2);
  check_unary("exp", [](auto& v) { return ag::exp(v); }, [](double v) { return std::exp(v); }, any);
  check_unary("log", [](auto& v) { return ag::log(v); }, [](double v) { return std::log(v); }, positive);
  check_unary("sqrt", [](auto& v) { return ag::sqrt(v); }, [](double v) { return std::sqrt(v); }, positive);
  check_unary("rsqrt", [](auto& v) { return ag::rsqrt(v); }, [](double v) { return 1 / std::sqrt(v); }, positive);
  check_unary("reciprocal", [](auto& v) { return ag::reciprocal(v); }, [](double v) { return 1 / v; }, positive);
  check_unary("scalar over x", [](auto& v) { return 2.0 / v; }, [](double v) { return 2 / v; }, positive);
}
TEST(GradcheckUnary, PowScalar) {
  const Tensor positive = uniform({3, 4}, 0.5, 2), any = uniform({3, 4}, -2, 2);
  for (double p : {2.0, 3.0, 0.5, -1.5})
    check_unary("pow " + std::to_string(p), [p](auto& v) { return ag::pow(v, p); },
                [p](double v) { return std::pow(v, p); }, positive);
  // An integer power is defined for negative bases too.
  check_unary("pow 3 of negatives", [](auto& v) { return ag::pow(v, 3.0); }, [](double v) { return v * v * v; }, any);
}
TEST(GradcheckUnary, Trigonometric) {
  const Tensor x = uniform({3, 4}, -3, 3);
  check_unary("sin", [](auto& v) { return ag::sin(v); }, [](double v) { return std::sin(v); }, x);
  check_unary("cos", [](auto& v) { return ag::cos(v); }, [](double v) { return std::cos(v); }, x);
  check_unary("tanh", [](auto& v) { return ag::tanh(v); }, [](double v) { return std::tanh(v); }, x);
}
TEST(GradcheckUnary, Activations) {
  const Tensor x = uniform({3, 4}, -4, 4);
  check_unary("sigmoid", [](auto& v) { return ag::sigmoid(v); }, [](double v) { return 1 / (1 + std::exp(-v)); }, x);
  check_unary("silu", [](auto& v) { return ag::silu(v); }, [](double v) { return v / (1 + std::exp(-v)); }, x);
  check_unary("gelu", [](auto& v) { return ag::gelu(v); },
              [](double v) { return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0))); }, x);
  check_unary("relu", [](auto& v) { return ag::relu(v); }, [](double v) { return v > 0 ? v : 0; },
              away_from_zero({3, 4}, 0.1, 2));
}
TEST(GradcheckUnary, AbsSquareClamp) {
  check_unary("abs", [](auto& v) { return ag::abs(v); }, [](double v) { return std::abs(v); },
              away_from_zero({3, 4}, 0.1, 2));
  check_unary("square", [](auto& v) { return ag::square(v); }, [](double v) { return v * v; },
              uniform({3, 4}, -2, 2));
  // Some values inside [-0.5, 0.7], some clamped on each side; none within 1e-3 of a bound.
  Tensor x = t::from_vector(std::vector<double>{-1.2, -0.8, -0.45, -0.1, 0.0, 0.2, 0.4, 0.65, 0.75, 0.9, 1.5, -0.6},
                            {3, 4}, DType::Float64);
  check_unary("clamp", [](auto& v) { return ag::clamp(v, -0.5, 0.7); },
              [](double v) { return std::min(std::max(v, -0.5), 0.7); }, x);
}

TEST(GradcheckUnary, GradientValuesAtKnownPoints) {
  // Closed forms the finite differences cannot confuse: relu' = step, abs' = sign.
  ag::Variable x(t::from_list({-2.0, -0.5, 0.5, 2.0}, DType::Float64), true);
  ag::sum(ag::relu(x) + ag::abs(x) * 10.0).backward();
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{-10, -10, 11, 11}));
}
