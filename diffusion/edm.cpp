// EDM's Heun sampler (docs/math.md (12.7)-(12.8)) on the discrete VP schedule.
// In x = x_t / a_t the ODE is dx/dsigma = (x - D(x; sigma)) / sigma, and with
// D = x0_hat = x - sigma eps the slope is just eps_theta(a x, t(sigma)).
#include "diffusion/edm.h"

#include <algorithm>
#include <cmath>

#include "autograd/grad_mode.h"
#include "tensor/ops.h"

namespace diffusion {

namespace {

// A point of the walk: its sigma and the step (fractional with Interpolate) where the model is asked.
struct Level {
  double sigma;
  double t;
};

// The largest step k in 1..T with vp_sigma(k) <= sigma (sigma_t rises with t), by bisection.
int64_t grid_step_below(const Schedule& schedule, double sigma) {
  int64_t lo = 1, hi = schedule.T;
  if (vp_sigma(schedule, hi) <= sigma) return hi;
  while (hi - lo > 1) {
    const int64_t mid = (lo + hi) / 2;
    if (vp_sigma(schedule, mid) <= sigma) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return lo;
}

// The levels of (12.7) as the labels option places them; the last is (0, 0).
std::vector<Level> levels(const EdmHeunSampler& s) {
  const Schedule& schedule = s.schedule;
  const std::vector<double> sigmas =
      karras_sigmas(vp_sigma(schedule, 1), vp_sigma(schedule, schedule.T), s.points, s.rho);
  std::vector<Level> out;
  for (const double sigma : sigmas) {
    if (sigma == 0.0) {
      out.push_back({0.0, 0.0});
    } else if (s.labels == EdmLabels::Interpolate) {
      out.push_back({sigma, interpolated_step(schedule, sigma)});
    } else {
      // EDM's round_sigma: the grid sigma nearest in log sigma; a repeat of the previous level is dropped.
      const int64_t below = grid_step_below(schedule, sigma);
      const int64_t above = std::min(below + 1, schedule.T);
      const bool take_below =
          std::log(sigma / vp_sigma(schedule, below)) <= std::log(vp_sigma(schedule, above) / sigma);
      const int64_t t = take_below ? below : above;
      if (out.empty() || out.back().t != static_cast<double>(t))
        out.push_back({vp_sigma(schedule, t), static_cast<double>(t)});
    }
  }
  return out;
}

// d = (x - D(x; sigma)) / sigma = eps_theta(a x, t - 1) with a = 1 / sqrt(1 + sigma^2), docs/math.md (12.8).
Tensor slope(const EpsModel& model, const Tensor& x, const Level& level, bool clip_x0) {
  const double a = 1.0 / std::sqrt(1.0 + level.sigma * level.sigma);
  // model.h: label = t - 1, here fractional; float64 for float64 x, so the oracle's tests see the exact step.
  const tensor::DType dtype = x.dtype() == tensor::DType::Float64 ? tensor::DType::Float64 : tensor::DType::Float32;
  const Tensor label = tensor::full({x.size(0)}, level.t - 1.0, dtype);
  const Variable eps = model(Variable(a * x), label);
  TENSOR_CHECK(eps.shape() == x.shape(), "[EdmHeunSampler] the model returned {} for x {}",
               tensor::shape_str(eps.shape()), tensor::shape_str(x.shape()));
  if (!clip_x0) return eps.data();  // d = (x - D) / sigma = eps, since D = x - sigma eps
  const Tensor denoised = tensor::clamp(x - level.sigma * eps.data(), -1.0, 1.0);
  return (x - denoised) / level.sigma;
}

}  // namespace

double vp_sigma(const Schedule& schedule, int64_t t) { return schedule.b(t) / schedule.a(t); }

std::vector<double> karras_sigmas(double sigma_min, double sigma_max, int64_t points, double rho) {
  TENSOR_CHECK(points >= 1, "[karras_sigmas] need at least 1 point, got {}", points);
  TENSOR_CHECK(0.0 < sigma_min && sigma_min <= sigma_max && rho > 0.0,
               "[karras_sigmas] need 0 < sigma_min <= sigma_max and rho > 0, got {}, {}, {}", sigma_min, sigma_max,
               rho);
  const double lo = std::pow(sigma_min, 1.0 / rho);
  const double hi = std::pow(sigma_max, 1.0 / rho);
  std::vector<double> sigmas;
  for (int64_t i = 0; i < points; ++i) {
    const double fraction = points == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(points - 1);
    sigmas.push_back(std::pow(hi + fraction * (lo - hi), rho));  // docs/math.md (12.7)
  }
  sigmas.front() = sigma_max;  // exact ends: the chain starts at x_T, the last Heun step lands on sigma_1
  sigmas.back() = sigmas.size() > 1 ? sigma_min : sigma_max;
  sigmas.push_back(0.0);
  return sigmas;
}

double interpolated_step(const Schedule& schedule, double sigma) {
  const double sigma_1 = vp_sigma(schedule, 1);
  const double sigma_T = vp_sigma(schedule, schedule.T);
  // Allow the rounding of a sigma computed from the ends (karras_sigmas pins them, but callers may not).
  TENSOR_CHECK(sigma >= sigma_1 * (1 - 1e-12) && sigma <= sigma_T * (1 + 1e-12),
               "[interpolated_step] sigma {} is outside the schedule's [{}, {}]", sigma, sigma_1, sigma_T);
  const double log_alpha_bar = -std::log1p(sigma * sigma);  // alpha_bar = 1 / (1 + sigma^2)
  const int64_t k = std::min(grid_step_below(schedule, sigma), schedule.T - 1);
  const double lo = std::log(schedule.alpha_bar.at(k));  // lo >= log_alpha_bar >= hi
  const double hi = std::log(schedule.alpha_bar.at(k + 1));
  const double fraction = std::clamp((lo - log_alpha_bar) / (lo - hi), 0.0, 1.0);
  return static_cast<double>(k) + fraction;
}

KernelFn interpolated_ddpm_kernel(const Schedule& schedule) {
  return [schedule](const Tensor& label) {
    TENSOR_CHECK(label.dim() == 1, "[interpolated_ddpm_kernel] label must be (N,), got {}",
                 tensor::shape_str(label.shape()));
    const std::vector<double> labels = label.to_vector<double>();
    std::vector<double> a(labels.size()), b(labels.size());
    for (size_t i = 0; i < labels.size(); ++i) {
      const double t = labels[i] + 1.0;  // label l is step t = l + 1
      TENSOR_CHECK(t >= 0.0 && t <= static_cast<double>(schedule.T),
                   "[interpolated_ddpm_kernel] label {} is outside [-1, {}]", labels[i], schedule.T - 1);
      const auto k = std::min(static_cast<int64_t>(std::floor(t)), schedule.T - 1);
      const double fraction = t - static_cast<double>(k);
      const double log_alpha_bar =
          (1.0 - fraction) * std::log(schedule.alpha_bar.at(k)) + fraction * std::log(schedule.alpha_bar.at(k + 1));
      a[i] = std::exp(0.5 * log_alpha_bar);  // docs/math.md (1.2) at the interpolated alpha_bar
      b[i] = std::sqrt(-std::expm1(log_alpha_bar));
    }
    const auto n = static_cast<int64_t>(labels.size());
    return std::make_pair(tensor::from_vector(a, {n}, tensor::DType::Float64),
                          tensor::from_vector(b, {n}, tensor::DType::Float64));
  };
}

int64_t EdmHeunSampler::points_for_nfe(int64_t nfe) {
  TENSOR_CHECK(nfe >= 1, "[EdmHeunSampler] need at least 1 model evaluation, got {}", nfe);
  return (nfe + 1) / 2;
}

std::vector<double> EdmHeunSampler::sigmas() const {
  std::vector<double> out;
  for (const Level& level : levels(*this)) out.push_back(level.sigma);
  return out;
}

int64_t EdmHeunSampler::nfe() const { return 2 * static_cast<int64_t>(levels(*this).size() - 1) - 1; }

Tensor EdmHeunSampler::run(const EpsModel& model, const Tensor& x_T, const StepCallback& on_step) const {
  TENSOR_CHECK(schedule.T >= 1, "[EdmHeunSampler] the schedule is empty");
  autograd::NoGradGuard no_grad;
  const std::vector<Level> walk = levels(*this);
  Tensor x = x_T / schedule.a(schedule.T);  // x = x_t / a_t: the VE-scaled state at sigma_T
  for (size_t i = 0; i + 1 < walk.size(); ++i) {
    const Level& here = walk[i];
    const Level& next = walk[i + 1];
    const double dsigma = next.sigma - here.sigma;
    const Tensor d = slope(model, x, here, clip_x0);
    const Tensor x_euler = x + dsigma * d;  // docs/math.md (12.8): the Euler predictor
    if (next.sigma > 0.0) {
      const Tensor d_next = slope(model, x_euler, next, clip_x0);
      x = x + (0.5 * dsigma) * (d + d_next);  // the trapezoid corrector
    } else {
      x = x_euler;  // the last step, into sigma = 0, stays Euler: x = D(x; sigma_min)
    }
    if (on_step) on_step(std::llround(next.t), x / std::sqrt(1.0 + next.sigma * next.sigma));
  }
  return x;
}

Tensor EdmHeunSampler::sample(const EpsModel& model, const tensor::Shape& shape, uint64_t seed, tensor::DType dtype,
                              const StepCallback& on_step) const {
  tensor::Generator gen(seed);
  return run(model, tensor::randn(shape, gen, dtype), on_step);
}

}  // namespace diffusion
