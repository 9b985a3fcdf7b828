// The engine: accumulation, no_grad, release of the graph, errors, vjp.
#include <gtest/gtest.h>

#include "autograd/functional.h"
#include "autograd/gradcheck.h"
#include "autograd/ops.h"

using namespace autograd;
namespace t = tensor;

TEST(Engine, ValueUsedTwiceAccumulates) {
  Variable x(t::from_list({3.0}, DType::Float64), true);
  Variable y = x * x + x;  // dy/dx = 2x + 1 = 7
  y.backward();
  EXPECT_DOUBLE_EQ(x.grad().item(), 7.0);
  // A second backward on a fresh graph adds to the leaf's gradient.
  Variable z = x * 2.0;
  z.backward();
  EXPECT_DOUBLE_EQ(x.grad().item(), 9.0);
}

TEST(Engine, NoGradRecordsNothing) {
  Variable x(t::ones({2}), true);
  NoGradGuard no_grad;
  Variable y = x * x;
  EXPECT_FALSE(y.requires_grad());
  EXPECT_TRUE(y.is_leaf());
}

TEST(Engine, BackwardTwiceWithoutRetainThrows) {
  Variable x(t::ones({1}), true);
  Variable y = exp(x);
  Variable z = y * 3.0;
  z.backward(Tensor(), /*retain_graph=*/false);
  try {
    z.backward();
    FAIL() << "expected an error";
  } catch (const t::Error& e) {
    EXPECT_NE(std::string(e.what()).find("retain_graph"), std::string::npos);
  }
}

TEST(Engine, RetainGraphAllowsSecondBackward) {
  Variable x(t::from_list({2.0}), true);
  Variable y = x * x;
  y.backward(Tensor(), true);
  y.backward();
  EXPECT_FLOAT_EQ(x.grad().item(), 8.0f);
}

TEST(Engine, NonScalarBackwardNeedsUpstreamGradient) {
  Variable x(t::ones({2, 3}), true);
  Variable y = x * 2.0;
  try {
    y.backward();
    FAIL() << "expected an error";
  } catch (const t::Error& e) {
    EXPECT_NE(std::string(e.what()).find("(2, 3)"), std::string::npos);
  }
  y.backward(t::ones({2, 3}));
  EXPECT_FLOAT_EQ(x.grad().to_vector<float>()[4], 2.0f);
}

TEST(Engine, DetachCutsTheGraph) {
  Variable x(t::ones({2}), true);
  Variable y = (x * 3.0).detach();
  EXPECT_FALSE(y.requires_grad());
}

TEST(Engine, VjpMatchesJacobianTransposeTimesV) {
  // f(x) = x^2 elementwise: J = diag(2x), so v^T J = 2 x v.
  Tensor x = t::from_list({1.0, -2.0, 3.0}, DType::Float64);
  Tensor v = t::from_list({1.0, 0.5, -1.0}, DType::Float64);
  NoGradGuard no_grad;  // vjp must work inside no_grad too
  auto [y, g] = vjp([](const Variable& in) { return in * in; }, x, v);
  EXPECT_EQ(y.to_vector<double>(), (std::vector<double>{1, 4, 9}));
  EXPECT_EQ(g.to_vector<double>(), (std::vector<double>{2, -2, -6}));
}

TEST(Gradcheck, CatchesAWrongRule) {
  // A function whose "gradient" is wrong: forward x*2 but we pass detach()ed
  // values through one branch, so backward misses half the derivative.
  auto f = [](const std::vector<Variable>& in) { return in[0] * in[0].detach(); };
  const GradcheckResult r = gradcheck(f, {t::from_list({1.0, 2.0}, DType::Float64)});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("finite differences"), std::string::npos);
}
