// The optimal-variance step (docs/math.md (3.3) with (7.1)) and the six samplers.
#include "diffusion/analytic/samplers.h"

#include "autograd/grad_mode.h"
#include "diffusion/analytic/variance.h"
#include "diffusion/timesteps.h"
#include "tensor/ops.h"

namespace diffusion::analytic {

namespace t = tensor;

Tensor OptimalVarianceSampler::step(const Tensor& x_t, const Tensor& eps, const Tensor& C, int64_t t_step, int64_t s,
                                    const Tensor& z) const {
  // docs/math.md section 0: x0_hat = (x_t - b_t eps) / a_t
  Tensor x0_hat = (x_t - schedule.b(t_step) * eps) / schedule.a(t_step);
  if (clip_x0) x0_hat = t::clamp(x0_hat, -1.0, 1.0);
  if (s == 0) return x0_hat;  // docs/math.md (7.7): the last jump goes to 0 without noise (gamma = 1, coef_xt = 0)

  const JumpCoefficients c = jump_coefficients(schedule, t_step, s, eta);
  // docs/math.md (3.3): the mean; (7.1): sigma^2 = lambda^2 + gamma^2 C (C a scalar or per element)
  const Tensor mean = c.coef_xt * x_t + c.gamma * x0_hat;
  Tensor sigma2 = c.lambda2 + (c.gamma * c.gamma) * C.to(x_t.dtype());
  if (first_jump_y > 0 && s == timesteps.front()) {
    // docs/math.md (7.7): the jump tau_2 -> tau_1 (per element for a head's C)
    sigma2 = t::clamp(sigma2, 0.0, first_jump_sigma2_max(first_jump_y));
  }
  return mean + t::sqrt(sigma2) * z;
}

Tensor OptimalVarianceSampler::run(const EpsModel& model, const Tensor& x_T, t::Generator& gen,
                                   const StepCallback& on_step) const {
  check_timesteps(timesteps, schedule.T, name.c_str());
  TENSOR_CHECK(covariance != nullptr, "[{}] no covariance source (build samplers with make_sampler)", name);
  const JumpRule jump = [this](const Tensor& x, const Tensor& eps, int64_t t_step, int64_t s, t::Generator& g) {
    // The last jump uses no variance: skip the head there.
    const Tensor C = s > 0 ? covariance(x, eps, t_step) : t::scalar(0.0, x.dtype(), x.device());
    const Tensor z = s > 0 ? t::randn_like(x, g) : Tensor();
    return step(x, eps, C, t_step, s, z);
  };
  return run_chain(model, timesteps, x_T, gen, jump, on_step);  // Note [One sampler loop]
}

Tensor OptimalVarianceSampler::sample(const EpsModel& model, const Tensor& x_T, uint64_t seed,
                                      const StepCallback& on_step) const {
  t::Generator gen(seed);
  return run(model, x_T, gen, on_step);
}

Tensor OptimalVarianceSampler::sample(const EpsModel& model, const t::Shape& shape, uint64_t seed, t::DType dtype,
                                      const StepCallback& on_step, t::Device device) const {
  t::Generator gen(seed);
  const Tensor x_T = draw_x_T(shape, gen, dtype, device);
  return run(model, x_T, gen, on_step);
}

const std::vector<std::string>& sampler_names() {
  static const std::vector<std::string> names = {"analytic-ddpm", "analytic-ddim", "npr-ddpm",
                                                 "npr-ddim",      "sn-ddpm",       "sn-ddim"};
  return names;
}

OptimalVarianceSampler make_sampler(const std::string& name, const SamplerSetup& setup) {
  const auto dash = name.find('-');
  const std::string source = name.substr(0, dash);
  const std::string type = dash == std::string::npos ? "" : name.substr(dash + 1);
  TENSOR_CHECK((source == "analytic" || source == "npr" || source == "sn") && (type == "ddpm" || type == "ddim"),
               "[make_sampler] unknown sampler '{}' (expected one of {})", name, fmt::join(sampler_names(), ", "));
  check_timesteps(setup.timesteps, setup.schedule.T, "make_sampler");

  OptimalVarianceSampler sampler;
  sampler.name = name;
  sampler.schedule = setup.schedule;
  sampler.timesteps = setup.timesteps;
  sampler.eta = type == "ddpm" ? 1.0 : setup.ddim_eta;
  sampler.clip_x0 = setup.images;
  sampler.first_jump_y = setup.images ? setup.first_jump_y : 0.0;

  if (source == "analytic") {
    TENSOR_CHECK(setup.table != nullptr, "[make_sampler] {} needs a Gamma table (estimate_gamma or load_gamma_table)",
                 name);
    // C_t for every t of the trajectory, looked up once (throws if one is missing).
    std::vector<double> C(setup.schedule.T + 1, 0.0);
    for (int64_t t_step : setup.timesteps)
      C[t_step] = setup.table->c(setup.schedule, t_step, setup.c_estimate, setup.c_clip);
    sampler.covariance = [C](const Tensor& x_t, const Tensor&, int64_t t_step) {
      return t::scalar(C[t_step], x_t.dtype(), x_t.device());
    };
  } else {
    TENSOR_CHECK(setup.head != nullptr, "[make_sampler] {} needs a trained {} head (train_cov_head)", name, source);
    const CovKind kind = parse_cov_kind(source);
    const DataBounds bounds = setup.table ? setup.table->bounds : setup.bounds;
    sampler.covariance = [head = setup.head, kind, schedule = setup.schedule, bounds, protocol = setup.protocol](
                             const Tensor& x_t, const Tensor& eps, int64_t t_step) {
      return head_covariance(*head, kind, x_t, eps, schedule, t_step, bounds, protocol);
    };
  }
  return sampler;
}

}  // namespace diffusion::analytic
