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
  nlohmann::json term_list = nlohmann::json::array();
  for (const ElboTerm& term : terms) {
    nlohmann::json entry = {{"kind", term.kind}, {"t", term.t}, {"s", term.s}, {"value", term.value}};
    if (term.clamped_low >= 0) {
      entry["clamped_low"] = term.clamped_low;
      entry["clamped_high"] = term.clamped_high;
      entry["value_clamped_low"] = term.value_clamped_low;
    }
    term_list.push_back(entry);
  }
  const nlohmann::json j = {{"nll", nll},
                            {"stderr", std_error},
                            {"unit", unit},
                            {"steps", steps},
                            {"variance", variance},
                            {"c_estimate", c_estimate},
                            {"protocol", protocol},
                            {"trajectory_name", trajectory_name},
                            {"trajectory", trajectory},
                            {"terms", term_list}};
  return j.dump();
}

namespace {

// One batch's terms of (9.1), each (n,) float64 in nats, in ElboTerm order
// (prior, jumps from T down, decoder), and per jump the number of C(x_t)
// elements clamped from below and from above (NPR / SN only).
struct BatchTerms {
  std::vector<Tensor> nats;
  std::vector<double> clamped_low;
  std::vector<double> clamped_high;
  std::vector<double> nats_clamped_low;  // summed over the batch's points
};

// The negative ELBO (9.1) of one batch of points x0 (n, ...), term by term.
BatchTerms batch_terms(const EpsModel& model, const Tensor& x0, const Schedule& sch, const std::vector<int64_t>& traj,
                       const KStepElboOptions& options, const std::vector<double>& C, const DataBounds& bounds,
                       t::Generator& gen) {
  const int64_t T = sch.T;
  BatchTerms out;
  // Prior term, exact: KL(N(a_T x_0, b_T^2 I) || N(0, I)), docs/math.md (2.8)
  out.nats.push_back(
      gaussian_kl(sch.a(T) * x0, 1.0 - sch.alpha_bar[T], t::scalar(1.0, t::DType::Float64, x0.device())));

  // x0_hat is clipped to the data range in every term under the reference
  // protocol, in the decoder only under the legacy one (Note [Reference protocol]).
  const bool clip_in_jumps = options.images && options.protocol == Protocol::Reference;
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
    if (clip_in_jumps) x0_hat = t::clamp(x0_hat, -1.0, 1.0);
    // q's mean minus p's mean: both are (3.3) with lambda^2 = beta_tilde, at x_0 and at x0_hat.
    const JumpCoefficients c = jump_coefficients(sch, t_step, s, 1.0);
    const Tensor mean_diff = c.gamma * (x0.to(t::DType::Float64) - x0_hat.to(t::DType::Float64));
    const double v1 = c.lambda2;  // beta_tilde_{s|t}, the variance of q (2.1)
    Tensor v2;
    Tensor below_zero;  // NPR / SN: 1 where the head's C(x_t) was clamped up from below 0
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
        const Tensor C_raw = head_covariance_unclamped(*options.head, kind, x_t, eps_hat, sch, t_step);
        const double upper = head_c_upper_bound(sch, t_step, bounds, options.protocol);
        below_zero = t::lt(C_raw, t::zeros_like(C_raw)).to(t::DType::Float64);
        const Tensor above_upper = t::gt(C_raw, t::full_like(C_raw, upper)).to(t::DType::Float64);
        out.clamped_low.push_back(t::sum(below_zero).item());
        out.clamped_high.push_back(t::sum(above_upper).item());
        const Tensor C_x = t::clamp(C_raw, 0.0, upper);             // docs/math.md section 8
        v2 = v1 + (c.gamma * c.gamma) * C_x.to(t::DType::Float64);  // (7.1) with C(x_t), section 8
        break;
      }
    }
    const Tensor kl = gaussian_kl_elementwise(mean_diff, v1, v2);  // docs/math.md (2.8)
    out.nats.push_back(t::sum(kl.reshape({kl.size(0), -1}), {1}));
    if (below_zero.defined()) out.nats_clamped_low.push_back(t::sum(kl * below_zero).item());
  }

  // Decoder -log p(x_0 | x_1): mean x0_hat(x_1), variance beta_tilde_{1|tau_2} (9.1).
  Tensor x0_hat;
  draw_x_t(1, x0_hat);
  const double var = sch.beta_tilde_jump(1, traj[1]);
  if (options.images) {
    x0_hat = t::clamp(x0_hat, -1.0, 1.0);
    out.nats.push_back(discretized_gaussian_nll(x0, x0_hat, std::sqrt(var)));  // docs/math.md (2.9)
  } else {
    out.nats.push_back(gaussian_nll(x0, x0_hat, var));
  }
  return out;
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
  const bool head_variance = choice == VarianceChoice::NPR || choice == VarianceChoice::SN;
  if (head_variance) {
    TENSOR_CHECK(options.head != nullptr, "[kstep_elbo] the {} variance needs a trained head",
                 variance_choice_name(choice));
  }
  const DataBounds bounds = options.table ? options.table->bounds : options.bounds;

  autograd::NoGradGuard no_grad;
  t::Generator gen(options.seed);
  const int64_t N = data.size(0);
  const int64_t d = data.numel() / N;
  const auto K = static_cast<int64_t>(trajectory.size());
  // Per term: the points' values (to sum per point) and the clamp counts.
  std::vector<std::vector<Tensor>> term_parts(K + 1);
  std::vector<double> clamped_low(K - 1, 0.0), clamped_high(K - 1, 0.0), nats_clamped_low(K - 1, 0.0);
  for (int64_t start = 0; start < N; start += options.batch_size) {
    const int64_t n = std::min(options.batch_size, N - start);
    BatchTerms batch = batch_terms(model, data.narrow(0, start, n), schedule, trajectory, options, C, bounds, gen);
    for (int64_t i = 0; i <= K; ++i) term_parts[i].push_back(batch.nats[i]);
    for (size_t j = 0; j < batch.clamped_low.size(); ++j) {
      clamped_low[j] += batch.clamped_low[j];
      clamped_high[j] += batch.clamped_high[j];
      nats_clamped_low[j] += batch.nats_clamped_low[j];
    }
    if (options.progress) options.progress(start + n, N);
  }

  KStepElbo result;
  // nats -> the reported unit: bits/dim for images (section 2), nats/point otherwise
  const double to_unit = options.images ? 1.0 / (static_cast<double>(d) * std::numbers::ln2) : 1.0;
  result.unit = options.images ? "bits/dim" : "nats/point";
  Tensor per_point;
  for (int64_t i = 0; i <= K; ++i) {
    const Tensor values = t::cat(term_parts[i], 0) * to_unit;
    per_point = per_point.defined() ? per_point + values : values;
    ElboTerm term;
    term.value = t::mean(values).item();
    if (i == 0) {
      term.kind = "prior";
      term.t = schedule.T;
      term.s = -1;
    } else if (i == K) {
      term.kind = "decoder";
      term.t = 1;
      term.s = 0;
    } else {
      term.kind = "jump";
      term.t = trajectory[K - i];
      term.s = trajectory[K - i - 1];
      if (head_variance) {
        term.clamped_low = clamped_low[i - 1] / static_cast<double>(N * d);
        term.clamped_high = clamped_high[i - 1] / static_cast<double>(N * d);
        term.value_clamped_low = nats_clamped_low[i - 1] * to_unit / static_cast<double>(N);
      }
    }
    result.terms.push_back(term);
  }
  result.per_point = per_point;
  result.nll = t::mean(per_point).item();
  result.std_error = std::sqrt(t::var(per_point).item() / static_cast<double>(N));
  result.steps = K;
  result.variance = variance_choice_name(choice);
  if (choice == VarianceChoice::Analytic) {
    result.c_estimate =
        c_estimate_name(options.c_estimate) + (options.c_clip == CClip::NonNegative ? "+unclipped" : "");
  }
  result.protocol = protocol_name(options.protocol);
  result.trajectory_name = options.trajectory_name;
  result.trajectory = trajectory;
  return result;
}

}  // namespace diffusion::analytic
