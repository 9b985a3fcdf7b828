// Helpers shared by the discrete samplers (sampling.h).
#include "diffusion/sampling.h"

#include "autograd/grad_mode.h"
#include "tensor/ops.h"

namespace diffusion {

Tensor step_label(int64_t N, int64_t t) { return tensor::full({N}, static_cast<double>(t - 1)); }

Tensor predict_eps(const EpsModel& model, const Tensor& x, int64_t t) {
  autograd::NoGradGuard no_grad;
  const Variable eps = model(Variable(x), step_label(x.size(0), t));
  TENSOR_CHECK(eps.shape() == x.shape(), "[predict_eps] the model returned {} for x {}", tensor::shape_str(eps.shape()),
               tensor::shape_str(x.shape()));
  return eps.data();
}

void check_jump(const Schedule& schedule, int64_t t, int64_t s, const Tensor& x_t, const Tensor& eps, const char* op) {
  TENSOR_CHECK(0 <= s && s < t && t <= schedule.T, "[{}] a jump t -> s needs 0 <= s < t <= T, got t = {}, s = {}, T = {}",
               op, t, s, schedule.T);
  TENSOR_CHECK(x_t.shape() == eps.shape(), "[{}] x_t {} and eps {} differ in shape", op,
               tensor::shape_str(x_t.shape()), tensor::shape_str(eps.shape()));
}

}  // namespace diffusion
