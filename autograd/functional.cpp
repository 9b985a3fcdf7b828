#include "autograd/functional.h"

#include "autograd/grad_mode.h"

namespace autograd {

std::pair<Tensor, Tensor> vjp(const std::function<Variable(const Variable&)>& f, const Tensor& x, const Tensor& v) {
  EnableGradGuard enable_grad;
  Variable input(x, /*requires_grad=*/true);
  Variable y = f(input);
  TENSOR_CHECK(y.shape() == v.shape(), "[vjp] v has shape {}, f(x) has shape {}", tensor::shape_str(v.shape()),
               tensor::shape_str(y.shape()));
  if (!y.requires_grad()) return {y.data(), tensor::zeros_like(x)};  // f does not depend on x
  y.backward(v);
  Tensor grad = input.grad().defined() ? input.grad() : tensor::zeros_like(x);
  return {y.data(), grad};
}

}  // namespace autograd
