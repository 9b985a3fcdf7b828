#include "autograd/variable.h"

#include "autograd/node.h"

namespace autograd {

namespace {
thread_local bool grad_enabled = true;
}  // namespace

bool GradMode::is_enabled() { return grad_enabled; }
void GradMode::set_enabled(bool enabled) { grad_enabled = enabled; }

Variable::Variable(Tensor data, bool requires_grad) : impl_(std::make_shared<VariableImpl>()) {
  TENSOR_CHECK(data.defined(), "[Variable] cannot wrap an undefined tensor");
  impl_->data = std::move(data);
  set_requires_grad(requires_grad);
}

Variable& Variable::set_requires_grad(bool requires_grad) {
  TENSOR_CHECK(is_leaf(), "[set_requires_grad] only a leaf's flag can be set; this value was made by {}",
               impl_->grad_fn->name());
  TENSOR_CHECK(!requires_grad || tensor::is_floating(impl_->data.dtype()),
               "[set_requires_grad] only floating tensors can require grad, got {}",
               tensor::dtype_name(impl_->data.dtype()));
  impl_->requires_grad = requires_grad;
  return *this;
}

Variable make_variable(Tensor data, std::shared_ptr<Node> grad_fn) {
  Variable v(std::move(data));
  v.impl_->requires_grad = true;
  v.impl_->grad_fn = std::move(grad_fn);
  return v;
}

bool needs_grad(std::initializer_list<Variable> inputs) {
  if (!GradMode::is_enabled()) return false;
  for (const Variable& v : inputs)
    if (v.requires_grad()) return true;
  return false;
}

bool needs_grad(const std::vector<Variable>& inputs) {
  if (!GradMode::is_enabled()) return false;
  for (const Variable& v : inputs)
    if (v.requires_grad()) return true;
  return false;
}

Variable record(Tensor out, std::shared_ptr<Node> node, std::vector<Variable> inputs) {
  node->inputs = std::move(inputs);
  return make_variable(std::move(out), std::move(node));
}

// Note [Releasing long graphs]: a graph is a chain of shared_ptrs (a
// Variable holds its Node, the Node holds its input Variables, they hold
// their Nodes, ...). Dropping the last handle to a graph that backward()
// has not released would destroy it recursively, several stack frames per
// op, and overflow the stack for graphs some thousands of ops deep (a
// sampler run with grad mode on; a debug build fails below 10000). So a
// Node's destructor detaches the Nodes that only it keeps alive (an input
// held nowhere else, whose Node is held by nothing else) into a list, and
// destroys them one by one, each with its own inputs already detached.
Node::~Node() {
  std::vector<std::shared_ptr<Node>> pending;
  auto detach_sole_inputs = [&pending](std::vector<Variable>& inputs) {
    for (Variable& in : inputs) {
      if (in.impl_ == nullptr || in.impl_.use_count() != 1) continue;  // someone else still uses this value
      std::shared_ptr<Node>& fn = in.impl_->grad_fn;
      if (fn != nullptr && fn.use_count() == 1) pending.push_back(std::move(fn));
    }
    inputs.clear();
  };
  detach_sole_inputs(inputs);
  while (!pending.empty()) {
    std::shared_ptr<Node> node = std::move(pending.back());
    pending.pop_back();
    detach_sole_inputs(node->inputs);
  }  // each node is destroyed here, its inputs already gone: no recursion
}

}  // namespace autograd
