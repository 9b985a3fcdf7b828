// The K-step ELBO (docs/math.md (9.1)) with the reverse variances of sections 2, 7 and 8.
#include "diffusion/analytic/kstep_elbo.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <numbers>

#include "autograd/grad_mode.h"
#include "diffusion/analytic/gaussian_terms.h"
#include "diffusion/analytic/variance.h"
#include "diffusion/sampling.h"
#include "diffusion/timesteps.h"
#include "tensor/ops.h"
#include "tensor/random.h"

namespace diffusion::analytic {

namespace t = tensor;

VarianceChoice parse_variance_choice(const std::string& name) {
  if (name == "beta") return VarianceChoice::Beta;
  if (name == "beta-tilde") return VarianceChoice::BetaTilde;
  if (name == "analytic") return VarianceChoice::Analytic;
  if (name == "npr") return VarianceChoice::NPR;
  if (name == "sn") return VarianceChoice::SN;
  throw t::Error(fmt::format(
      "[parse_variance_choice] unknown variance '{}' (expected beta, beta-tilde, analytic, npr or sn)", name));
}

std::string variance_choice_name(VarianceChoice choice) {
  switch (choice) {
    case VarianceChoice::Beta:
      return "beta";
    case VarianceChoice::BetaTilde:
      return "beta-tilde";
    case VarianceChoice::Analytic:
      return "analytic";
    case VarianceChoice::NPR:
      return "npr";
    case VarianceChoice::SN:
      return "sn";
  }
  return "?";
}

std::string KStepElbo::to_json() const {
  const nlohmann::json j = {{"nll", nll},
                            {"stderr", std_error},
                            {"unit", unit},
                            {"steps", steps},
                            {"variance", variance},
                            {"c_estimate", c_estimate},
                            {"trajectory_name", trajectory_name},
                            {"trajectory", trajectory}};
  return j.dump();
}

namespace {

// The negative ELBO (9.1) in nats for one batch of points x0 (n, ...): (n,) float64.
Tensor batch_nats(const EpsModel& model, const Tensor& x0, const Schedule& sch, const std::vector<int64_t>& traj,
                  const KStepElboOptions& options, const std::vector<double>& C, const DataBounds& bounds,
                  t::Generator& gen) {
  const int64_t T = sch.T;
  // Prior term, exact: KL(N(a_T x_0, b_T^2 I) || N(0, I)), docs/math.md (2.8)
  Tensor nats = gaussian_kl(sch.a(T) * x0, 1.0 - sch.alpha_bar[T], t::scalar(1.0, t::DType::Float64, x0.device()));

  const auto draw_x_t = [&](int64_t t_step, Tensor& x0_hat) {
    const Tensor eps = t::randn_like(x0, gen);
    const Tensor x_t = sch.a(t_step) * x0 + sch.b(t_step) * eps;  // docs/math.md (1.2)
    const Tensor eps_hat = predict_eps(model, x_t, t_step);
    x0_hat = (x_t - sch.b(t_step) * eps_hat) / sch.a(t_step);  // docs/math.md section 0
    return std::make_pair(x_t, eps_hat);
  };

  // The K - 1 jump terms tau_k -> tau_{k-1}, k = K..2.
  for (auto k = static_cast<int64_t>(traj.size()) - 1; k >= 1; --k) {
    const int64_t t_step = traj[k];
    const int64_t s = traj[k - 1];
    Tensor x0_hat;
    const auto [x_t, eps_hat] = draw_x_t(t_step, x0_hat);
    // q's mean minus p's mean: both are (3.3) with lambda^2 = beta_tilde, at x_0 and at x0_hat.
    const JumpCoefficients c = jump_coefficients(sch, t_step, s, 1.0);
    const Tensor mean_diff = c.gamma * (x0.to(t::DType::Float64) - x0_hat.to(t::DType::Float64));
    const double v1 = c.lambda2;  // beta_tilde_{s|t}, the variance of q (2.1)
    Tensor v2;
    switch (options.variance) {
      case VarianceChoice::Beta:
        v2 = t::scalar(sch.beta_jump(t_step, s), t::DType::Float64, x0.device());
        break;  // (2.6)
      case VarianceChoice::BetaTilde:
        v2 = t::scalar(v1, t::DType::Float64, x0.device());
        break;  // (2.6)
      case VarianceChoice::Analytic:
        v2 = t::scalar(optimal_sigma2(sch, t_step, s, 1.0, C[t_step]), t::DType::Float64, x0.device());  // (7.4)
        break;
      case VarianceChoice::NPR:
      case VarianceChoice::SN: {
        const CovKind kind = options.variance == VarianceChoice::NPR ? CovKind::NPR : CovKind::SN;
        const Tensor C_x = head_covariance(*options.head, kind, x_t, eps_hat, sch, t_step, bounds);
        v2 = v1 + (c.gamma * c.gamma) * C_x.to(t::DType::Float64);  // (7.1) with C(x_t), section 8
        break;
      }
    }
    nats = nats + gaussian_kl(mean_diff, v1, v2);  // docs/math.md (2.8)
  }

  // Decoder -log p(x_0 | x_1): mean x0_hat(x_1), variance beta_tilde_{1|tau_2} (9.1).
  Tensor x0_hat;
  draw_x_t(1, x0_hat);
  const double var = sch.beta_tilde_jump(1, traj[1]);
  if (options.images) {
    x0_hat = t::clamp(x0_hat, -1.0, 1.0);
    return nats + discretized_gaussian_nll(x0, x0_hat, std::sqrt(var));  // docs/math.md (2.9)
  }
  return nats + gaussian_nll(x0, x0_hat, var);
}

}  // namespace

KStepElbo kstep_elbo(const EpsModel& model, const Tensor& data, const Schedule& schedule,
                     const std::vector<int64_t>& trajectory, const KStepElboOptions& options) {
  check_timesteps(trajectory, schedule.T, "kstep_elbo");
  TENSOR_CHECK(trajectory.size() >= 2 && trajectory.front() == 1 && trajectory.back() == schedule.T,
               "[kstep_elbo] the trajectory must start at 1 and end at T = {} with K >= 2 steps (got K = {}, {}..{})",
               schedule.T, trajectory.size(), trajectory.front(), trajectory.back());
  TENSOR_CHECK(data.defined() && data.dim() >= 2 && data.size(0) >= 2,
               "[kstep_elbo] data must be (N, ...), N >= 2, got {}", t::shape_str(data.shape()));
  TENSOR_CHECK(options.batch_size > 0, "[kstep_elbo] batch_size must be positive");
  const VarianceChoice choice = options.variance;
  std::vector<double> C(schedule.T + 1, 0.0);
  if (choice == VarianceChoice::Analytic) {
    TENSOR_CHECK(options.table != nullptr, "[kstep_elbo] the analytic variance needs a Gamma table");
    for (size_t k = 1; k < trajectory.size(); ++k) {
      C[trajectory[k]] = options.table->c(schedule, trajectory[k], options.c_estimate, options.c_clip);
    }
  }
  if (choice == VarianceChoice::NPR || choice == VarianceChoice::SN) {
    TENSOR_CHECK(options.head != nullptr, "[kstep_elbo] the {} variance needs a trained head",
                 variance_choice_name(choice));
  }
  const DataBounds bounds = options.table ? options.table->bounds : options.bounds;

  autograd::NoGradGuard no_grad;
  t::Generator gen(options.seed);
  const int64_t N = data.size(0);
  std::vector<Tensor> parts;
  for (int64_t start = 0; start < N; start += options.batch_size) {
    const int64_t n = std::min(options.batch_size, N - start);
    parts.push_back(batch_nats(model, data.narrow(0, start, n), schedule, trajectory, options, C, bounds, gen));
    if (options.progress) options.progress(start + n, N);
  }
  Tensor per_point = t::cat(parts, 0);

  KStepElbo result;
  const int64_t d = data.numel() / N;
  if (options.images) {
    per_point = per_point / (static_cast<double>(d) * std::numbers::ln2);  // bits/dim (section 2)
    result.unit = "bits/dim";
  } else {
    result.unit = "nats/point";
  }
  result.per_point = per_point;
  result.nll = t::mean(per_point).item();
  result.std_error = std::sqrt(t::var(per_point).item() / static_cast<double>(N));
  result.steps = static_cast<int64_t>(trajectory.size());
  result.variance = variance_choice_name(choice);
  if (choice == VarianceChoice::Analytic) {
    result.c_estimate =
        c_estimate_name(options.c_estimate) + (options.c_clip == CClip::NonNegative ? "+unclipped" : "");
  }
  result.trajectory_name = options.trajectory_name;
  result.trajectory = trajectory;
  return result;
}

}  // namespace diffusion::analytic
