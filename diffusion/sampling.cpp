// Helpers shared by the discrete samplers (sampling.h).
#include "diffusion/sampling.h"

#include "autograd/grad_mode.h"
#include "tensor/ops.h"

namespace diffusion {

Tensor step_label(int64_t N, int64_t t, tensor::Device device) {
  return tensor::full({N}, static_cast<double>(t - 1), tensor::DType::Float32, device);
}

Tensor predict_eps(const EpsModel& model, const Tensor& x, int64_t t) {
  autograd::NoGradGuard no_grad;
  const Variable eps = model(Variable(x), step_label(x.size(0), t, x.device()));
  TENSOR_CHECK(eps.shape() == x.shape(), "[predict_eps] the model returned {} for x {}", tensor::shape_str(eps.shape()),
               tensor::shape_str(x.shape()));
  return eps.data();
}

Tensor run_chain(const EpsModel& model, const std::vector<int64_t>& timesteps, const Tensor& x_T,
                 tensor::Generator& gen, const JumpRule& jump, const StepCallback& on_step) {
  autograd::NoGradGuard no_grad;
  Tensor x = x_T;
  for (auto k = static_cast<int64_t>(timesteps.size()) - 1; k >= 0; --k) {
    const int64_t t = timesteps[k];
    const int64_t s = k > 0 ? timesteps[k - 1] : 0;  // the last jump goes to s = 0, alpha_bar_0 = 1
    const Tensor eps = predict_eps(model, x, t);
    x = jump(x, eps, t, s, gen);
    if (on_step) on_step(s, x);
  }
  return x;
}

Tensor draw_x_T(const tensor::Shape& shape, tensor::Generator& gen, tensor::DType dtype, tensor::Device device) {
  return tensor::randn(shape, gen, dtype, device);
}

void check_jump(const Schedule& schedule, int64_t t, int64_t s, const Tensor& x_t, const Tensor& eps, const char* op) {
  TENSOR_CHECK(0 <= s && s < t && t <= schedule.T,
               "[{}] a jump t -> s needs 0 <= s < t <= T, got t = {}, s = {}, T = {}", op, t, s, schedule.T);
  TENSOR_CHECK(x_t.shape() == eps.shape(), "[{}] x_t {} and eps {} differ in shape", op, tensor::shape_str(x_t.shape()),
               tensor::shape_str(eps.shape()));
}

}  // namespace diffusion
