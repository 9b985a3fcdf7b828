// Variable: a tensor that can take part in differentiation. It holds the
// value (a tensor::Tensor), whether it requires a gradient, the gradient
// accumulated into it (leaves only), and, when an op produced it, that op's
// backward Node (grad_fn). Copies share one VariableImpl, like Tensor copies
// share storage. See docs/autograd.md for the whole picture.
#pragma once
#include <memory>
#include <vector>

#include "tensor/ops.h"
#include "tensor/tensor.h"

namespace autograd {

using tensor::DType;
using tensor::Device;
using tensor::Shape;
using tensor::Tensor;

struct Node;

struct VariableImpl {
  Tensor data;
  Tensor grad;                    // dL/d(this), accumulated by backward() (leaves only)
  bool requires_grad = false;
  std::shared_ptr<Node> grad_fn;  // the op that made this value; null for a leaf
};

class Variable {
 public:
  Variable() = default;
  // A leaf holding `data`.
  explicit Variable(Tensor data, bool requires_grad = false);

  bool defined() const { return impl_ != nullptr; }
  const Tensor& data() const { return impl_->data; }
  // Mutable access to the value, for in-place updates outside the graph
  // (optimizer steps, loading weights); never while a graph saved it.
  Tensor& mutable_data() const { return impl_->data; }
  const Tensor& grad() const { return impl_->grad; }
  void set_grad(const Tensor& grad) const { impl_->grad = grad; }
  void zero_grad() const { impl_->grad = Tensor(); }
  bool requires_grad() const { return impl_ && impl_->requires_grad; }
  // Only a leaf's flag can change: an op's output requires grad iff an input does.
  Variable& set_requires_grad(bool requires_grad);
  bool is_leaf() const { return impl_->grad_fn == nullptr; }
  const std::shared_ptr<Node>& grad_fn() const { return impl_->grad_fn; }
  VariableImpl* impl() const { return impl_.get(); }

  // A new leaf sharing this value, cut off from the graph.
  Variable detach() const { return Variable(impl_->data); }

  // Backpropagates from this value: with no argument it must hold one
  // element (a loss) and starts from dL/dL = 1; otherwise `grad` is the
  // upstream gradient dL/d(this) and must have this value's shape. The graph
  // is freed afterwards unless retain_graph is set.
  void backward(const Tensor& grad = Tensor(), bool retain_graph = false) const;

  // Shape accessors, forwarded to the value.
  const Shape& shape() const { return impl_->data.shape(); }
  int64_t dim() const { return impl_->data.dim(); }
  int64_t size(int64_t d) const { return impl_->data.size(d); }
  int64_t numel() const { return impl_->data.numel(); }
  DType dtype() const { return impl_->data.dtype(); }
  Device device() const { return impl_->data.device(); }
  double item() const { return impl_->data.item(); }

 private:
  friend Variable make_variable(Tensor data, std::shared_ptr<Node> grad_fn);
  friend struct Node;  // its destructor checks who else holds an input (Note [Releasing long graphs])
  std::shared_ptr<VariableImpl> impl_;
};

}  // namespace autograd
