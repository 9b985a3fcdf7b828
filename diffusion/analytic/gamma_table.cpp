// Monte Carlo estimation of Gamma_t (7.3) and of the residual (7.3r), and
// the C_t they give (7.2), (7.3r), clipped by (7.6). The file format is
// gamma_table_io.cpp.
#include "diffusion/analytic/gamma_table.h"

#include <algorithm>
#include <cmath>

#include "autograd/grad_mode.h"
#include "diffusion/prediction.h"
#include "diffusion/timesteps.h"
#include "tensor/ops.h"
#include "tensor/random.h"

namespace diffusion::analytic {

namespace t = tensor;

CEstimate parse_c_estimate(const std::string& name) {
  if (name == "residual") return CEstimate::Residual;
  if (name == "gamma") return CEstimate::Gamma;
  throw t::Error(fmt::format("[parse_c_estimate] unknown estimate '{}' (expected residual or gamma)", name));
}

std::string c_estimate_name(CEstimate estimate) { return estimate == CEstimate::Residual ? "residual" : "gamma"; }

int64_t GammaTable::index_of(int64_t t_step) const {
  const auto it = std::lower_bound(timesteps.begin(), timesteps.end(), t_step);
  if (it == timesteps.end() || *it != t_step) return -1;
  return it - timesteps.begin();
}

double GammaTable::c_raw(const Schedule& schedule, int64_t t_step, CEstimate estimate) const {
  TENSOR_CHECK(schedule.T == T, "[GammaTable] estimated on a schedule of T = {}, used with T = {}", T, schedule.T);
  const int64_t i = index_of(t_step);
  TENSOR_CHECK(i >= 0, "[GammaTable] no estimate for t = {} (the table holds {} timesteps from {} to {})", t_step,
               timesteps.size(), timesteps.empty() ? 0 : timesteps.front(), timesteps.empty() ? 0 : timesteps.back());
  const double alpha_bar_t = schedule.alpha_bar[t_step];
  const double noise_to_signal = (1.0 - alpha_bar_t) / alpha_bar_t;
  if (estimate == CEstimate::Gamma) return noise_to_signal * (1.0 - gamma[i]);  // docs/math.md (7.2)
  return noise_to_signal * residual[i];                                         // docs/math.md (7.3r)
}

double GammaTable::c(const Schedule& schedule, int64_t t_step, CEstimate estimate, CClip clip) const {
  const double raw = c_raw(schedule, t_step, estimate);
  if (clip == CClip::NonNegative) return std::max(raw, 0.0);  // Note [Clipping the residual estimate]
  return clip_c(raw, schedule, t_step, bounds);               // docs/math.md (7.6)
}

std::vector<double> GammaTable::c_all(const Schedule& schedule, CEstimate estimate, CClip clip) const {
  std::vector<double> out(schedule.T + 1, 0.0);
  for (int64_t t_step = 1; t_step <= schedule.T; ++t_step) out[t_step] = c(schedule, t_step, estimate, clip);
  return out;
}

namespace {

// Average per-dimension variance of the data (the bound of (7.6)), in float64.
double average_dim_variance(const Tensor& data) {
  const Tensor flat = data.to(t::DType::Float64).reshape({data.size(0), -1});
  return t::mean(t::var(flat, {0})).item();
}

// Per-row ||x||^2 / d of an (n, ...) tensor, in float64: (n,).
Tensor mean_square_per_row(const Tensor& x) {
  const Tensor flat = x.to(t::DType::Float64).reshape({x.size(0), -1});
  return t::mean(t::square(flat), {1});
}

}  // namespace

GammaTable estimate_gamma(const EpsModel& model, const Tensor& data, const Schedule& schedule,
                          const std::vector<int64_t>& timesteps, const GammaEstimateOptions& options) {
  TENSOR_CHECK(data.defined() && data.dim() >= 2 && data.size(0) >= 2,
               "[estimate_gamma] data must be (N, ...) with N >= 2, got {}", t::shape_str(data.shape()));
  TENSOR_CHECK(options.batch_size > 0, "[estimate_gamma] batch_size must be positive, got {}", options.batch_size);
  const std::vector<int64_t> steps = timesteps.empty() ? all_timesteps(schedule.T) : timesteps;
  check_timesteps(steps, schedule.T, "estimate_gamma");
  autograd::NoGradGuard no_grad;

  GammaTable table;
  table.T = schedule.T;
  table.timesteps = steps;
  table.bounds.data_var = average_dim_variance(data);
  table.bounds.range = options.range;

  // The M points every t uses: all of the data, or a seeded random subset.
  t::Generator gen(options.seed);
  const int64_t N = data.size(0);
  const int64_t M = options.samples <= 0 ? N : std::min(options.samples, N);
  const Tensor points = M == N ? data : t::index_select(data, 0, t::randperm(N, gen, data.device()).narrow(0, 0, M));
  table.samples = M;
  // Note [Common noise across t] (gamma_table.h)
  const Tensor common_eps = options.common_noise ? t::randn_like(points, gen) : Tensor();

  // Rows r = 0..(K M - 1) enumerate the (t, point) pairs, t-major; a batch is
  // a run of rows, so several small t's share one model call.
  const auto K = static_cast<int64_t>(steps.size());
  const int64_t total = K * M;
  std::vector<double> sum_g(K, 0.0), sum_g2(K, 0.0), sum_r(K, 0.0), sum_r2(K, 0.0);
  for (int64_t r0 = 0; r0 < total; r0 += options.batch_size) {
    const int64_t n = std::min(options.batch_size, total - r0);
    std::vector<int64_t> point_index(n);
    std::vector<double> label(n), a(n), b(n);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t t_step = steps[(r0 + i) / M];
      point_index[i] = (r0 + i) % M;
      label[i] = static_cast<double>(t_step - 1);  // the network's label (model.h)
      a[i] = schedule.a(t_step);
      b[i] = schedule.b(t_step);
    }
    const Tensor index = t::from_vector(point_index, {n}, t::DType::Int64, points.device());
    const Tensor x0 = t::index_select(points, 0, index);
    const Tensor eps = options.common_noise ? t::index_select(common_eps, 0, index) : t::randn_like(x0, gen);
    const Tensor a_n = per_sample(t::from_vector(a, {n}, t::DType::Float64, x0.device()), x0.dim(), x0.dtype());
    const Tensor b_n = per_sample(t::from_vector(b, {n}, t::DType::Float64, x0.device()), x0.dim(), x0.dtype());
    const Tensor x_t = a_n * x0 + b_n * eps;  // docs/math.md (1.2)
    const Tensor eps_hat = model(Variable(x_t), t::from_vector(label, {n}, t::DType::Float32, x0.device())).data();
    TENSOR_CHECK(eps_hat.shape() == x_t.shape(), "[estimate_gamma] the model returned {} for x {}",
                 t::shape_str(eps_hat.shape()), t::shape_str(x_t.shape()));

    const std::vector<double> g = mean_square_per_row(eps_hat).to_vector<double>();          // (7.3)
    const std::vector<double> res = mean_square_per_row(eps - eps_hat).to_vector<double>();  // (7.3r)
    for (int64_t i = 0; i < n; ++i) {
      const int64_t k = (r0 + i) / M;
      sum_g[k] += g[i];
      sum_g2[k] += g[i] * g[i];
      sum_r[k] += res[i];
      sum_r2[k] += res[i] * res[i];
    }
    if (options.progress) options.progress(r0 + n, total);
  }

  // Means and their standard errors sqrt(sample variance / M).
  const auto standard_error = [M](double sum, double sum2) {
    const double mean = sum / M;
    const double variance = std::max(0.0, (sum2 - M * mean * mean) / (M - 1));
    return std::sqrt(variance / M);
  };
  for (int64_t k = 0; k < K; ++k) {
    table.gamma.push_back(sum_g[k] / M);
    table.residual.push_back(sum_r[k] / M);
    table.gamma_stderr.push_back(standard_error(sum_g[k], sum_g2[k]));
    table.residual_stderr.push_back(standard_error(sum_r[k], sum_r2[k]));
  }
  return table;
}

std::string gamma_table_path(const std::string& run_dir) { return run_dir + "/gamma_table.safetensors"; }

}  // namespace diffusion::analytic
