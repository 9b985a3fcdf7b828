// Front-end of the fused GroupNorm (+ SiLU): checks, allocation, dispatch.
// The kernel and the derivation of its backward are in cpu/group_norm.cpp.
#include "tensor/dispatch.h"
#include "tensor/ops.h"

namespace tensor {

namespace {
void check_group_norm_args(const char* op, const Tensor& x, int64_t groups, const Tensor& weight, const Tensor& bias) {
  TENSOR_CHECK(x.defined() && is_floating(x.dtype()), "[{}] expects a float32 or float64 input", op);
  TENSOR_CHECK(x.dim() >= 2, "[{}] input must be (N, C, ...), got {}", op, shape_str(x.shape()));
  TENSOR_CHECK(groups > 0 && x.size(1) % groups == 0, "[{}] input {} has {} channels, not divisible by {} groups", op,
               shape_str(x.shape()), x.size(1), groups);
  for (const Tensor* p : {&weight, &bias}) {
    if (!p->defined()) continue;
    check_same_dtype_device(op, x, *p);
    TENSOR_CHECK(p->dim() == 1 && p->size(0) == x.size(1), "[{}] weight/bias {} should be ({}) for input {}", op,
                 shape_str(p->shape()), x.size(1), shape_str(x.shape()));
  }
}
}  // namespace

GroupNormOutput group_norm(const Tensor& x, int64_t groups, const Tensor& weight, const Tensor& bias, double eps,
                           bool silu) {
  check_group_norm_args("group_norm", x, groups, weight, bias);
  TENSOR_CHECK(eps >= 0, "[group_norm] eps must be >= 0, got {}", eps);
  GroupNormOutput r{Tensor::empty(x.shape(), x.dtype(), x.device()),
                    Tensor::empty({x.size(0), groups}, x.dtype(), x.device()),
                    Tensor::empty({x.size(0), groups}, x.dtype(), x.device())};
  TENSOR_DISPATCH(x.device(), group_norm_forward, r.out, r.mean, r.rstd, x.contiguous(),
                  weight.defined() ? weight.contiguous() : weight, bias.defined() ? bias.contiguous() : bias, groups,
                  eps, silu);
  return r;
}

GroupNormGrads group_norm_backward(const Tensor& grad_out, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                                   const Tensor& weight, const Tensor& bias, int64_t groups, bool silu) {
  check_group_norm_args("group_norm_backward", x, groups, weight, bias);
  check_same_dtype_device("group_norm_backward", x, grad_out);
  TENSOR_CHECK(grad_out.shape() == x.shape(), "[group_norm_backward] grad_out {} does not match input {}",
               shape_str(grad_out.shape()), shape_str(x.shape()));
  const Shape stats{x.size(0), groups};
  TENSOR_CHECK(mean.shape() == stats && rstd.shape() == stats,
               "[group_norm_backward] mean {} and rstd {} should be {}", shape_str(mean.shape()),
               shape_str(rstd.shape()), shape_str(stats));
  GroupNormGrads g{Tensor::empty(x.shape(), x.dtype(), x.device()),
                   weight.defined() ? Tensor::empty(weight.shape(), x.dtype(), x.device()) : Tensor(),
                   bias.defined() ? Tensor::empty(bias.shape(), x.dtype(), x.device()) : Tensor()};
  TENSOR_DISPATCH(x.device(), group_norm_backward, g.x, g.weight, g.bias, grad_out.contiguous(), x.contiguous(),
                  mean.contiguous(), rstd.contiguous(), weight.defined() ? weight.contiguous() : weight,
                  bias.defined() ? bias.contiguous() : bias, groups, silu);
  return g;
}

}  // namespace tensor
