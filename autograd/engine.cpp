// The backward pass (Variable::backward). Three steps:
//  1. order: a depth-first walk from the root along grad_fn->inputs gives
//     the Variables in topological order (every value after its inputs);
//  2. walk that order in reverse, so each value's gradient is complete (all
//     its uses have contributed) before its node's backward rule runs;
//     contributions add up ("accumulate"), which is the multivariate chain
//     rule for a value used more than once;
//  3. leaves that require a gradient receive it in .grad() (added to what
//     they had, so gradients of several backward calls sum up); a leaf is
//     reached after every value that uses it, so its gradient is final then,
//     and an optional callback (LeafGradReady) hears of it at that moment.
// Afterwards each visited node is replaced by a released marker, freeing the
// tensors it saved, unless retain_graph is set.
#include "autograd/engine.h"

#include <unordered_map>
#include <unordered_set>

#include "autograd/node.h"

namespace autograd {
namespace {

struct ReleasedNode : Node {
  std::string op;
  const char* name() const override { return op.c_str(); }
  std::vector<Tensor> backward(const Tensor&) override {
    throw tensor::Error(fmt::format(
        "[backward] the graph through '{}' was freed by an earlier backward(); pass retain_graph=true to the first "
        "call to backpropagate twice",
        op));
  }
};

// Topological order by an iterative depth-first walk (deep graphs, such as
// a sampler's 1000 steps, would overflow the call stack if recursive).
std::vector<Variable> topological_order(const Variable& root) {
  std::vector<Variable> order;
  std::unordered_set<VariableImpl*> visited;
  std::vector<std::pair<Variable, size_t>> stack{{root, 0}};
  visited.insert(root.impl());
  while (!stack.empty()) {
    auto& [v, next] = stack.back();
    const auto& fn = v.grad_fn();
    if (fn && next < fn->inputs.size()) {
      const Variable& in = fn->inputs[next++];
      if (in.requires_grad() && visited.insert(in.impl()).second) stack.push_back({in, 0});
      continue;
    }
    order.push_back(v);
    stack.pop_back();
  }
  return order;
}

void accumulate_into_leaf(const Variable& leaf, const Tensor& g) {
  if (!leaf.grad().defined()) {
    leaf.set_grad(g.clone());  // a fresh copy: g may be shared with other inputs' gradients
  } else {
    Tensor acc = leaf.grad();
    tensor::add_(acc, g);
  }
}

}  // namespace

void Variable::backward(const Tensor& grad, bool retain_graph) const {
  autograd::backward(*this, LeafGradReady(), grad, retain_graph);
}

void backward(const Variable& root, const LeafGradReady& on_leaf_grad_ready, const Tensor& grad, bool retain_graph) {
  TENSOR_CHECK(root.defined() && root.requires_grad(), "[backward] this value does not require grad (shape {})",
               tensor::shape_str(root.shape()));
  Tensor seed = grad;
  if (!seed.defined()) {
    TENSOR_CHECK(root.numel() == 1,
                 "[backward] called on a value of shape {} without an upstream gradient; only a one-element value "
                 "(a loss) can start backward alone",
                 tensor::shape_str(root.shape()));
    seed = tensor::ones_like(root.data());
  }
  TENSOR_CHECK(seed.shape() == root.shape(), "[backward] upstream gradient has shape {}, the value has shape {}",
               tensor::shape_str(seed.shape()), tensor::shape_str(root.shape()));
  TENSOR_CHECK(seed.dtype() == root.dtype() && seed.device() == root.device(),
               "[backward] upstream gradient is {} on {}, the value is {} on {}", tensor::dtype_name(seed.dtype()),
               tensor::device_name(seed.device()), tensor::dtype_name(root.dtype()),
               tensor::device_name(root.device()));

  NoGradGuard no_grad;  // backward rules compute with plain tensors; nothing to record
  const std::vector<Variable> order = topological_order(root);
  std::unordered_map<VariableImpl*, Tensor> grads{{root.impl(), seed}};
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const Variable& v = *it;
    auto found = grads.find(v.impl());
    if (found == grads.end()) continue;  // no path from the root carries a gradient here
    const Tensor g = std::move(found->second);
    grads.erase(found);
    if (v.is_leaf()) {
      accumulate_into_leaf(v, g);
      if (on_leaf_grad_ready) on_leaf_grad_ready(v);
      continue;
    }
    Node& node = *v.grad_fn();
    std::vector<Tensor> input_grads = node.backward(g);
    TENSOR_ASSERT(input_grads.size() == node.inputs.size());
    for (size_t i = 0; i < input_grads.size(); ++i) {
      const Variable& in = node.inputs[i];
      if (!in.requires_grad() || !input_grads[i].defined()) continue;
      TENSOR_CHECK(input_grads[i].shape() == in.shape(),
                   "internal error (a library bug): '{}' backward gave input {} a gradient of shape {}, expected {}",
                   node.name(), i, tensor::shape_str(input_grads[i].shape()), tensor::shape_str(in.shape()));
      auto [slot, inserted] = grads.try_emplace(in.impl(), input_grads[i]);
      if (!inserted) slot->second = tensor::add(slot->second, input_grads[i]);
    }
    if (!retain_graph) {
      auto released = std::make_shared<ReleasedNode>();
      released->op = node.name();
      v.impl()->grad_fn = released;  // drops the node, its saved tensors and its edges
    }
  }
}

}  // namespace autograd
