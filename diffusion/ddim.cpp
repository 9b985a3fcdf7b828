// DDIM (docs/math.md section 3): estimate x_0, then move to the marginal of step
// s keeping the predicted noise direction, with a free amount sigma of fresh
// noise (3.1)-(3.2). Inversion (3.4) runs the deterministic update upwards.
#include "diffusion/ddim.h"

#include <algorithm>
#include <cmath>

#include "autograd/grad_mode.h"
#include "diffusion/timesteps.h"
#include "tensor/ops.h"

namespace diffusion {

double DdimSampler::sigma2(int64_t t, int64_t s) const {
  const double alpha_bar_t = schedule.alpha_bar.at(t);
  const double alpha_bar_s = schedule.alpha_bar.at(s);
  // docs/math.md (3.1): eta^2 (1 - alpha_bar_s)/(1 - alpha_bar_t) (1 - alpha_bar_t/alpha_bar_s)
  return eta * eta * (1.0 - alpha_bar_s) / (1.0 - alpha_bar_t) * (1.0 - alpha_bar_t / alpha_bar_s);
}

Tensor DdimSampler::step(const Tensor& x_t, const Tensor& eps_in, int64_t t, int64_t s, const Tensor& z) const {
  check_jump(schedule, t, s, x_t, eps_in, "DdimSampler::step");
  const double a_t = schedule.a(t);
  const double b_t = schedule.b(t);
  const double alpha_bar_s = schedule.alpha_bar.at(s);

  Tensor eps = eps_in;
  Tensor x0_hat = (x_t - b_t * eps) / a_t;  // docs/math.md section 0
  if (clip_x0) {
    x0_hat = tensor::clamp(x0_hat, -1.0, 1.0);
    eps = (x_t - a_t * x0_hat) / b_t;  // docs/math.md section 3: recompute eps after clipping, (2.3)
  }
  const double sigma_sq = sigma2(t, s);
  // docs/math.md (3.2): x_s = sqrt(alpha_bar_s) x0_hat + sqrt(1 - alpha_bar_s - sigma^2) eps + sigma z.
  // max(0, .) guards the root against rounding when s = 0 (1 - alpha_bar_0 - 0 = 0).
  const double direction = std::sqrt(std::max(0.0, 1.0 - alpha_bar_s - sigma_sq));
  Tensor x_s = std::sqrt(alpha_bar_s) * x0_hat + direction * eps;
  if (sigma_sq > 0.0) x_s = x_s + std::sqrt(sigma_sq) * z;
  return x_s;
}

Tensor DdimSampler::run(const EpsModel& model, const Tensor& x_T, tensor::Generator& gen,
                        const StepCallback& on_step) const {
  check_timesteps(timesteps, schedule.T, "DdimSampler");
  TENSOR_CHECK(eta >= 0.0 && eta <= 1.0, "[DdimSampler] eta must be in [0, 1], got {}", eta);
  const JumpRule jump = [this](const Tensor& x, const Tensor& eps, int64_t t, int64_t s, tensor::Generator& g) {
    const Tensor z = sigma2(t, s) > 0.0 ? tensor::randn_like(x, g) : Tensor();
    return step(x, eps, t, s, z);
  };
  return run_chain(model, timesteps, x_T, gen, jump, on_step);  // Note [One sampler loop]
}

Tensor DdimSampler::sample(const EpsModel& model, const Tensor& x_T, uint64_t seed, const StepCallback& on_step) const {
  tensor::Generator gen(seed);
  return run(model, x_T, gen, on_step);
}

Tensor DdimSampler::sample(const EpsModel& model, const tensor::Shape& shape, uint64_t seed, tensor::DType dtype,
                           const StepCallback& on_step, tensor::Device device) const {
  tensor::Generator gen(seed);
  const Tensor x_T = draw_x_T(shape, gen, dtype, device);
  return run(model, x_T, gen, on_step);
}

Tensor DdimSampler::invert_step(const Tensor& x_s, const Tensor& eps, int64_t s, int64_t t) const {
  check_jump(schedule, t, s, x_s, eps, "DdimSampler::invert_step");
  // docs/math.md (3.4): x_t = a_t x0_hat(x_s) + b_t eps_theta(x_s, s), x0_hat(x_s) = (x_s - b_s eps) / a_s
  const Tensor x0_hat = (x_s - schedule.b(s) * eps) / schedule.a(s);
  return schedule.a(t) * x0_hat + schedule.b(t) * eps;
}

Tensor DdimSampler::invert(const EpsModel& model, const Tensor& x_0, const StepCallback& on_step) const {
  check_timesteps(timesteps, schedule.T, "DdimSampler::invert");
  autograd::NoGradGuard no_grad;
  Tensor x = x_0;
  int64_t s = 0;
  for (const int64_t t : timesteps) {
    const Tensor eps = predict_eps(model, x, s > 0 ? s : timesteps.front());
    x = invert_step(x, eps, s, t);
    if (on_step) on_step(t, x);
    s = t;
  }
  return x;
}

}  // namespace diffusion
