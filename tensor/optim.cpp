// Front-ends of the optimizer updates: the checks, then one kernel per
// backend (tensor/cpu/adam.cpp; the CUDA one in tensor/cuda/). The optimizer
// classes that keep the state and the step count are in nn/optim/.
#include "tensor/dispatch.h"
#include "tensor/ops.h"

namespace tensor {

void adam_step_(Tensor& param, const Tensor& grad, Tensor& exp_avg, Tensor& exp_avg_sq, const AdamStepParams& p) {
  TENSOR_CHECK(is_floating(param.dtype()), "[adam_step_] expects a float32 or float64 parameter, got {}",
               dtype_name(param.dtype()));
  for (const Tensor* other : std::initializer_list<const Tensor*>{&grad, &exp_avg, &exp_avg_sq}) {
    check_same_dtype_device("adam_step_", param, *other);
    TENSOR_CHECK(other->shape() == param.shape(), "[adam_step_] parameter {} and state/gradient {} differ in shape",
                 shape_str(param.shape()), shape_str(other->shape()));
  }
  for (const Tensor* t : std::initializer_list<const Tensor*>{&param, &grad, &exp_avg, &exp_avg_sq})
    TENSOR_CHECK(t->is_contiguous(), "[adam_step_] expects contiguous tensors, got shape {} with strides {}",
                 shape_str(t->shape()), shape_str(t->strides()));
  TENSOR_CHECK(p.step >= 1, "[adam_step_] step count must be >= 1, got {}", p.step);
  TENSOR_CHECK(
      !param.shares_storage(exp_avg) && !param.shares_storage(exp_avg_sq) && !exp_avg.shares_storage(exp_avg_sq),
      "[adam_step_] parameter, exp_avg and exp_avg_sq must not share memory");
  TENSOR_DISPATCH(param.device(), adam_step, param, grad, exp_avg, exp_avg_sq, p);
}

}  // namespace tensor
