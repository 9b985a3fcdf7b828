// The engine beyond engine_test.cpp: shared subexpressions (a diamond),
// deep chains, the seed gradient's checks, leaf flags, no_grad nesting,
// released graphs reached from another root, and vjp's edge cases.
#include <gtest/gtest.h>

#include <cmath>

#include "autograd/functional.h"
#include "autograd/ops.h"
#include "error_util.h"

using namespace autograd;
namespace t = tensor;

namespace {
using tensor_test::contains;
using tensor_test::error_of;
}  // namespace

TEST(EngineEdge, DiamondSendsBothPathsThroughTheSharedNode) {
  // u = 2x is used by two branches: y = u^2 + 3u. dy/dx = (2u + 3) * 2 = 8x + 6.
  Variable x(t::from_list({1.5, -1.0}, DType::Float64), true);
  Variable u = x * 2.0;
  Variable y = sum(u * u + u * 3.0);
  y.backward();
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{18, -2}));
}

TEST(EngineEdge, DeepChainNeedsNoRecursion) {
  // 20000 nodes in a row: the topological sort is iterative, so this must not overflow the stack.
  Variable x(t::from_list({1.0}, DType::Float64), true);
  Variable y = x;
  for (int i = 0; i < 20000; ++i) y = y * 1.0001;
  y.backward();
  EXPECT_NEAR(x.grad().item(), std::pow(1.0001, 20000), 1e-9);
}

TEST(EngineEdge, DroppingADeepGraphWithoutBackwardNeedsNoRecursion) {
  // Destroying 100000 chained nodes one inside the other would overflow the
  // stack (Note [Releasing long graphs] in autograd/variable.cpp; a debug
  // build with sanitizers overflowed below 10000).
  Variable x(t::from_list({1.0}), true);
  Variable mid;
  {
    Variable y = x;
    for (int i = 0; i < 100000; ++i) {
      y = reshape(y, {1});
      if (i == 50000) mid = y;
    }
  }  // the top 50000 nodes are freed here; mid keeps the ones below it
  EXPECT_FALSE(mid.is_leaf());
  sum(mid).backward();
  EXPECT_EQ(x.grad().item(), 1.0);
  {
    Variable y = x;
    for (int i = 0; i < 100000; ++i) y = reshape(y, {1});
  }  // a whole graph dropped, never differentiated
  EXPECT_TRUE(x.is_leaf());
}

TEST(EngineEdge, SeedGradientMustMatchShapeDtypeAndDevice) {
  Variable x(t::ones({2, 3}), true);
  Variable y = x * 2.0;
  std::string msg = error_of([&] { y.backward(t::ones({3, 2})); });
  EXPECT_TRUE(contains(msg, "[backward]") && contains(msg, "(3, 2)")) << msg;
  msg = error_of([&] { y.backward(t::ones({2, 3}, DType::Float64)); });
  EXPECT_TRUE(contains(msg, "[backward]") && contains(msg, "float64")) << msg;
  y.backward(t::ones({2, 3}));  // the right seed still works afterwards
  EXPECT_EQ(x.grad().to_vector<float>(), std::vector<float>(6, 2.0f));
}

TEST(EngineEdge, LeafFlags) {
  Variable x(t::ones({2}), true);
  Variable y = x * 3.0;
  EXPECT_FALSE(y.is_leaf());
  EXPECT_TRUE(y.requires_grad());
  EXPECT_TRUE(contains(error_of([&] { y.set_requires_grad(false); }), "[set_requires_grad]"));
  EXPECT_TRUE(contains(error_of([] { Variable(t::zeros({2}, DType::Int64), true); }), "int64"));
  Variable c(t::ones({2}));  // a constant: no gradient, no graph
  EXPECT_FALSE((c * 2.0).requires_grad());
  EXPECT_TRUE(contains(error_of([&] { sum(c).backward(); }), "[backward]"));
  // A mix records the op and sends a gradient only to the input that wants one.
  Variable z = sum(x * c);
  z.backward();
  EXPECT_FALSE(c.grad().defined());
  EXPECT_EQ(x.grad().to_vector<float>(), (std::vector<float>{1, 1}));
  x.zero_grad();
  EXPECT_FALSE(x.grad().defined());
}

TEST(EngineEdge, NoGradNestsAndRestores) {
  Variable x(t::ones({2}), true);
  EXPECT_TRUE(GradMode::is_enabled());
  {
    NoGradGuard outer;
    {
      EnableGradGuard inner;
      EXPECT_TRUE((x * 2.0).requires_grad());
      NoGradGuard innermost;
      EXPECT_FALSE((x * 2.0).requires_grad());
    }
    EXPECT_FALSE(GradMode::is_enabled());
  }
  EXPECT_TRUE(GradMode::is_enabled());
}

TEST(EngineEdge, ReleasedGraphReachedFromAnotherRootNamesTheOp) {
  Variable x(t::ones({1}), true);
  Variable h = exp(x);
  Variable a = h * 2.0;
  Variable b = h * 3.0;
  a.backward();  // frees a's node and h's node
  const std::string msg = error_of([&] { b.backward(); });
  EXPECT_TRUE(contains(msg, "exp") && contains(msg, "retain_graph")) << msg;
}

TEST(EngineEdge, RetainGraphGivesTheSameGradientTwice) {
  Variable x(t::from_list({0.5, 2.0}, DType::Float64), true);
  Variable y = sum(sin(x) * x);
  y.backward(Tensor(), true);
  const std::vector<double> first = x.grad().to_vector<double>();
  x.zero_grad();
  y.backward();
  EXPECT_EQ(x.grad().to_vector<double>(), first);
}

TEST(EngineEdge, VjpEdgeCases) {
  const Tensor x = t::from_list({1.0, 2.0}, DType::Float64);
  // f independent of x: the product is zero, not an error.
  auto [y, g] = vjp([](const Variable&) { return Variable(t::ones({3}, DType::Float64)); }, x,
                    t::ones({3}, DType::Float64));
  EXPECT_EQ(g.to_vector<double>(), (std::vector<double>{0, 0}));
  EXPECT_EQ(y.numel(), 3);
  // v must have f(x)'s shape.
  EXPECT_TRUE(contains(error_of([&] { vjp([](const Variable& v) { return v * 2.0; }, x, t::ones({3}, DType::Float64)); }),
                       "[vjp]"));
  // x itself is left untouched and gets no gradient.
  auto [y2, g2] = vjp([](const Variable& v) { return reshape(sum(v * v), {1}); }, x,
                      t::ones({1}, DType::Float64));
  EXPECT_EQ(g2.to_vector<double>(), (std::vector<double>{2, 4}));
  EXPECT_EQ(x.to_vector<double>(), (std::vector<double>{1, 2}));
}
