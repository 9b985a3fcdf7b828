// Ancestral sampling (docs/math.md (2.5)-(2.6) with (1.9)): estimate x_0, then
// take the posterior mean (2.1) with x_0 replaced by the estimate, and add
// noise. The posterior form is used because it also covers clipping.
#include "diffusion/ddpm.h"

#include <cmath>

#include "autograd/grad_mode.h"
#include "diffusion/timesteps.h"
#include "tensor/ops.h"

namespace diffusion {

AncestralVariance parse_ancestral_variance(const std::string& name) {
  if (name == "ddpm") return AncestralVariance::Beta;
  if (name == "ddpm-tilde") return AncestralVariance::BetaTilde;
  throw tensor::Error(
      fmt::format("[parse_ancestral_variance] unknown variance '{}' (expected ddpm or ddpm-tilde)", name));
}

Tensor AncestralSampler::step(const Tensor& x_t, const Tensor& eps, int64_t t, int64_t s, const Tensor& z) const {
  check_jump(schedule, t, s, x_t, eps, "AncestralSampler::step");
  const Schedule& sch = schedule;
  const double alpha_bar_t = sch.alpha_bar.at(t);
  const double alpha_bar_s = sch.alpha_bar.at(s);
  const double beta_ts = sch.beta_jump(t, s);  // docs/math.md (1.9)
  const double alpha_ts = sch.alpha_jump(t, s);

  // docs/math.md section 0: x0_hat = (x_t - b_t eps) / a_t
  Tensor x0_hat = (x_t - sch.b(t) * eps) / sch.a(t);
  if (clip_x0) x0_hat = tensor::clamp(x0_hat, -1.0, 1.0);

  // docs/math.md (2.1) in jump form: mu = (sqrt(alpha_bar_s) beta_{t|s} / (1 - alpha_bar_t)) x0_hat
  //                                 + (sqrt(alpha_{t|s}) (1 - alpha_bar_s) / (1 - alpha_bar_t)) x_t
  const double coef_x0 = std::sqrt(alpha_bar_s) * beta_ts / (1.0 - alpha_bar_t);
  const double coef_xt = std::sqrt(alpha_ts) * (1.0 - alpha_bar_s) / (1.0 - alpha_bar_t);
  const Tensor mu = coef_x0 * x0_hat + coef_xt * x_t;
  if (s == 0) return mu;  // z = 0 on the last step (2.5)

  // docs/math.md (2.6): sigma^2 = beta_{t|s} or beta_tilde_{s|t}
  const double sigma2 = variance == AncestralVariance::Beta ? beta_ts : sch.beta_tilde_jump(s, t);
  return mu + std::sqrt(sigma2) * z;
}

Tensor AncestralSampler::run(const EpsModel& model, const Tensor& x_T, tensor::Generator& gen,
                             const StepCallback& on_step) const {
  check_timesteps(timesteps, schedule.T, "AncestralSampler");
  const JumpRule jump = [this](const Tensor& x, const Tensor& eps, int64_t t, int64_t s, tensor::Generator& g) {
    const Tensor z = s > 0 ? tensor::randn_like(x, g) : Tensor();
    return step(x, eps, t, s, z);
  };
  return run_chain(model, timesteps, x_T, gen, jump, on_step);  // Note [One sampler loop]
}

Tensor AncestralSampler::sample(const EpsModel& model, const Tensor& x_T, uint64_t seed,
                                const StepCallback& on_step) const {
  tensor::Generator gen(seed);
  return run(model, x_T, gen, on_step);
}

Tensor AncestralSampler::sample(const EpsModel& model, const tensor::Shape& shape, uint64_t seed, tensor::DType dtype,
                                const StepCallback& on_step, tensor::Device device) const {
  tensor::Generator gen(seed);
  const Tensor x_T = draw_x_T(shape, gen, dtype, device);
  return run(model, x_T, gen, on_step);
}

}  // namespace diffusion
