// autograd::backward's LeafGradReady callback (autograd/variable.h): it fires
// once per leaf, with the leaf's final gradient already in grad(), in the
// engine's stated order, while later leaves have not been reached yet.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "autograd/engine.h"
#include "autograd/ops.h"

using namespace autograd;
namespace t = tensor;

TEST(LeafHook, FiresOnceAfterTheLastAccumulation) {
  // x is used three times: y = x * x + 3 x, dy/dx = 2x + 3. The hook must see
  // the whole sum, not a first contribution.
  Variable x(t::from_list({1.5, -1.0}, DType::Float64), true);
  Variable y = sum(x * x + x * 3.0);
  int calls = 0;
  std::vector<double> seen;
  backward(y, [&](const Variable& leaf) {
    ++calls;
    EXPECT_EQ(leaf.impl(), x.impl());
    seen = leaf.grad().to_vector<double>();
  });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen, (std::vector<double>{6, 1}));
  EXPECT_EQ(x.grad().to_vector<double>(), seen);
}

TEST(LeafHook, LastLayerFirstWhileEarlierLayersAreStillPending) {
  // Two layers, data before weights: loss = sum((x W1 + b1) W2 + b2). The
  // stated order is the reverse of use: b2, W2, b1, W1; when W2 fires, W1 has
  // no gradient yet (backward is not done), which is what lets a caller start
  // sending W2's gradient early.
  Variable x(t::from_list({1.0, 2.0, 3.0, 4.0}, DType::Float64).reshape({2, 2}));
  Variable w1(t::from_list({0.5, -1.0, 2.0, 0.25}, DType::Float64).reshape({2, 2}), true);
  Variable b1(t::from_list({0.1, 0.2}, DType::Float64), true);
  Variable w2(t::from_list({1.0, -2.0}, DType::Float64).reshape({2, 1}), true);
  Variable b2(t::from_list({0.3}, DType::Float64), true);
  Variable loss = sum(matmul(matmul(x, w1) + b1, w2) + b2);
  std::vector<std::string> order;
  bool w1_pending_when_w2_fired = false;
  backward(loss, [&](const Variable& leaf) {
    if (leaf.impl() == w1.impl()) order.push_back("w1");
    if (leaf.impl() == b1.impl()) order.push_back("b1");
    if (leaf.impl() == b2.impl()) order.push_back("b2");
    if (leaf.impl() == w2.impl()) {
      order.push_back("w2");
      w1_pending_when_w2_fired = !w1.grad().defined();
    }
  });
  EXPECT_EQ(order, (std::vector<std::string>{"b2", "w2", "b1", "w1"}));
  EXPECT_TRUE(w1_pending_when_w2_fired);
  // The hook changes nothing: dloss/db2 = 2 rows, dloss/dW2 = column sums of h.
  EXPECT_EQ(b2.grad().to_vector<double>(), (std::vector<double>{2}));
  EXPECT_EQ(b1.grad().to_vector<double>(), (std::vector<double>{2, -4}));
}

TEST(LeafHook, LeavesThatNeedNoGradientDoNotFire) {
  Variable x(t::from_list({2.0}, DType::Float64), true);
  Variable c(t::from_list({5.0}, DType::Float64));  // a constant: no gradient wanted
  int calls = 0;
  backward(sum(x * c), [&](const Variable& leaf) {
    ++calls;
    EXPECT_EQ(leaf.impl(), x.impl());
  });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(x.grad().item(), 5.0);
}
