// Differentiable matmul. For C = A B (batched): dA = dC B^T and dB = A^T dC,
// then summed over any batch dims that were broadcast. addmm, C = bias + A B
// with the bias added to every row: the same two, and dbias = the sum of dC's rows.
#include "autograd/node.h"
#include "autograd/ops.h"

namespace autograd {

namespace t = tensor;

struct MatmulBackward : Node {
  Tensor a, b;
  const char* name() const override { return "matmul"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    // Treat 1-D operands as the matrices matmul promoted them to.
    const Tensor a2 = a.dim() == 1 ? a.unsqueeze(0) : a;
    const Tensor b2 = b.dim() == 1 ? b.unsqueeze(1) : b;
    // Restore the dims matmul dropped, the column's first: for a dot product
    // g is 0-dim, and only after unsqueeze(-1) does it have a dim -2.
    Tensor g2 = g;
    if (b.dim() == 1) g2 = g2.unsqueeze(-1);
    if (a.dim() == 1) g2 = g2.unsqueeze(-2);
    Tensor ga, gb;
    if (needs_input_grad(0)) ga = t::sum_to_shape(t::matmul(g2, b2.transpose(-1, -2)), a2.shape()).reshape(a.shape());
    if (needs_input_grad(1)) gb = t::sum_to_shape(t::matmul(a2.transpose(-1, -2), g2), b2.shape()).reshape(b.shape());
    return {ga, gb};
  }
};

Variable matmul(const Variable& a, const Variable& b) {
  Tensor out = t::matmul(a.data(), b.data());
  if (!needs_grad({a, b})) return Variable(out);
  auto node = std::make_shared<MatmulBackward>();
  node->a = a.data();
  node->b = b.data();
  return record(out, node, {a, b});
}

// The inputs are recorded as (a, b, bias), the bias last: the engine walks a
// node's inputs depth first in that order, and backward visits them in
// reverse, so a bias recorded first would be reached only after all of a's
// graph, the whole network below the layer. Recorded last, it gets its final
// gradient right after this node, as a separate add's bias did, and
// DataParallel's gradient buckets (Note [Gradient buckets]) can leave early.
struct AddmmBackward : Node {
  Tensor a, b;
  const char* name() const override { return "addmm"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor ga, gb, gbias;
    if (needs_input_grad(0)) ga = t::matmul(g, b.transpose(0, 1));
    if (needs_input_grad(1)) gb = t::matmul(a.transpose(0, 1), g);
    if (needs_input_grad(2)) gbias = t::sum(g, {0});
    return {ga, gb, gbias};
  }
};

Variable addmm(const Variable& bias, const Variable& a, const Variable& b) {
  Tensor out = t::addmm(bias.data(), a.data(), b.data());
  if (!needs_grad({bias, a, b})) return Variable(out);
  auto node = std::make_shared<AddmmBackward>();
  node->a = a.data();
  node->b = b.data();
  return record(out, node, {a, b, bias});
}

}  // namespace autograd
