// Schedules (docs/math.md section 1): each builder produces beta_1..beta_T and
// schedule_from_betas derives everything else, in float64, so that the
// schedules differ only in the one line that defines beta.
#include "diffusion/schedule.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "tensor/ops.h"

namespace diffusion {

double Schedule::a(int64_t t) const { return std::sqrt(alpha_bar.at(t)); }
double Schedule::b(int64_t t) const { return std::sqrt(1.0 - alpha_bar.at(t)); }

// docs/math.md (1.9)
double Schedule::alpha_jump(int64_t t, int64_t s) const {
  TENSOR_CHECK(0 <= s && s < t && t <= T, "[schedule] a jump needs 0 <= s < t <= T, got s = {}, t = {}, T = {}", s, t,
               T);
  return alpha_bar[t] / alpha_bar[s];
}
double Schedule::beta_jump(int64_t t, int64_t s) const { return 1.0 - alpha_jump(t, s); }
double Schedule::beta_tilde_jump(int64_t s, int64_t t) const {
  return beta_jump(t, s) * (1.0 - alpha_bar[s]) / (1.0 - alpha_bar[t]);
}

ScheduleTables schedule_tables(const Schedule& schedule, tensor::Device device) {
  const int64_t n = schedule.T + 1;
  std::vector<double> a(n), b(n);
  for (int64_t t = 0; t < n; ++t) {
    a[t] = schedule.a(t);  // docs/math.md (1.2)
    b[t] = schedule.b(t);
  }
  return {tensor::from_vector(a, {n}, tensor::DType::Float64, device),
          tensor::from_vector(b, {n}, tensor::DType::Float64, device),
          tensor::from_vector(schedule.alpha_bar, {n}, tensor::DType::Float64, device)};
}

Schedule schedule_from_betas(const std::vector<double>& betas) {
  TENSOR_CHECK(!betas.empty(), "[schedule] needs at least one beta");
  Schedule sch;
  sch.T = static_cast<int64_t>(betas.size());
  const size_t n = betas.size() + 1;
  sch.beta.assign(n, 0.0);
  sch.alpha.assign(n, 1.0);
  sch.alpha_bar.assign(n, 1.0);
  sch.beta_tilde.assign(n, 0.0);
  sch.log_snr.assign(n, std::numeric_limits<double>::infinity());
  for (int64_t t = 1; t <= sch.T; ++t) {
    const double beta_t = betas[t - 1];
    TENSOR_CHECK(beta_t > 0.0 && beta_t <= 1.0, "[schedule] beta_{} = {} is outside (0, 1]", t, beta_t);
    sch.beta[t] = beta_t;
    sch.alpha[t] = 1.0 - beta_t;
    sch.alpha_bar[t] = sch.alpha_bar[t - 1] * sch.alpha[t];
    // docs/math.md section 0: beta_tilde_t = beta_t (1 - alpha_bar_{t-1}) / (1 - alpha_bar_t); 0 at t = 1.
    sch.beta_tilde[t] = beta_t * (1.0 - sch.alpha_bar[t - 1]) / (1.0 - sch.alpha_bar[t]);
    sch.log_snr[t] = std::log(sch.alpha_bar[t]) - std::log1p(-sch.alpha_bar[t]);
  }
  return sch;
}

Schedule linear_schedule(int64_t T, double beta_1, double beta_T) {
  TENSOR_CHECK(T >= 2, "[linear_schedule] needs T >= 2, got {}", T);
  std::vector<double> betas(T);
  for (int64_t t = 1; t <= T; ++t) {
    betas[t - 1] =
        beta_1 + static_cast<double>(t - 1) * (beta_T - beta_1) / static_cast<double>(T - 1);  // docs/math.md (1.3)
  }
  return schedule_from_betas(betas);
}

Schedule cosine_schedule(int64_t T, double s) {
  TENSOR_CHECK(T >= 1, "[cosine_schedule] needs T >= 1, got {}", T);
  // docs/math.md (1.4): f(t) = cos^2(((t/T) + s)/(1 + s) * pi/2), alpha_bar_t = f(t)/f(0).
  auto f = [&](double t) {
    const double c = std::cos((t / static_cast<double>(T) + s) / (1.0 + s) * std::numbers::pi / 2.0);
    return c * c;
  };
  std::vector<double> betas(T);
  for (int64_t t = 1; t <= T; ++t) {
    const double alpha_bar_t = f(t) / f(0);
    const double alpha_bar_prev = f(t - 1) / f(0);
    // The clip keeps the last steps (where f -> 0) from destroying everything at once;
    // alpha_bar is then recomputed from the clipped betas, as Nichol & Dhariwal's code does.
    betas[t - 1] = std::min(1.0 - alpha_bar_t / alpha_bar_prev, 0.999);
  }
  return schedule_from_betas(betas);
}

Schedule blog_schedule(int64_t T) {
  TENSOR_CHECK(T >= 1, "[blog_schedule] needs T >= 1, got {}", T);
  std::vector<double> betas(T);
  for (int64_t t = 1; t <= T; ++t)
    betas[t - 1] = 0.02 * static_cast<double>(t) / static_cast<double>(T);  // docs/math.md (1.5)
  return schedule_from_betas(betas);
}

Schedule make_schedule(const std::string& name, int64_t T) {
  if (name == "linear") return linear_schedule(T);
  if (name == "cosine") return cosine_schedule(T);
  if (name == "blog") return blog_schedule(T);
  throw tensor::Error(fmt::format("[make_schedule] unknown schedule '{}' (expected linear, cosine or blog)", name));
}

KernelFn ddpm_kernel(const Schedule& schedule) {
  return [schedule](const Tensor& label) {
    TENSOR_CHECK(label.dim() == 1, "[ddpm_kernel] label must be (N,), got {}", tensor::shape_str(label.shape()));
    const std::vector<double> labels = label.to_vector<double>();
    std::vector<double> a(labels.size()), b(labels.size());
    for (size_t i = 0; i < labels.size(); ++i) {
      const double t_real = labels[i] + 1.0;  // label l is step t = l + 1
      const auto t_step = static_cast<int64_t>(std::llround(t_real));
      TENSOR_CHECK(std::abs(t_real - static_cast<double>(t_step)) < 1e-6 && t_step >= 0 && t_step <= schedule.T,
                   "[ddpm_kernel] label {} is not a whole number in -1..{}", labels[i], schedule.T - 1);
      a[i] = schedule.a(t_step);  // docs/math.md (1.2)
      b[i] = schedule.b(t_step);
    }
    const auto n = static_cast<int64_t>(labels.size());
    return std::make_pair(tensor::from_vector(a, {n}, tensor::DType::Float64, label.device()),
                          tensor::from_vector(b, {n}, tensor::DType::Float64, label.device()));
  };
}

}  // namespace diffusion
