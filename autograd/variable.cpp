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

}  // namespace autograd
