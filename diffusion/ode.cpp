// Euler, Heun and Dormand-Prince RK45 (docs/math.md 5.4). Time and step sizes
// are host doubles; the state is one tensor updated with whole-tensor ops.
#include "diffusion/ode.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "tensor/ops.h"

namespace diffusion {

OdeResult euler_solve(const OdeFn& F, const Tensor& y0, double t0, double t1, int steps) {
  TENSOR_CHECK(steps >= 1, "[euler_solve] needs at least one step, got {}", steps);
  const double h = (t1 - t0) / steps;  // negative when integrating backwards
  OdeResult result{y0, 0, 0, 0};
  for (int i = 0; i < steps; ++i) {
    const double t = t0 + i * h;
    result.y = tensor::add(result.y, tensor::mul(F(result.y, t), h));
    result.nfe += 1;
    result.steps += 1;
  }
  return result;
}

OdeResult heun_solve(const OdeFn& F, const Tensor& y0, double t0, double t1, int steps) {
  TENSOR_CHECK(steps >= 1, "[heun_solve] needs at least one step, got {}", steps);
  const double h = (t1 - t0) / steps;
  OdeResult result{y0, 0, 0, 0};
  for (int i = 0; i < steps; ++i) {
    const double t = t0 + i * h;
    const double t_next = (i + 1 == steps) ? t1 : t0 + (i + 1) * h;
    const Tensor& y = result.y;
    const Tensor k1 = F(y, t);
    const Tensor y_euler = tensor::add(y, tensor::mul(k1, h));  // predictor
    const Tensor k2 = F(y_euler, t_next);
    result.y = tensor::add(y, tensor::mul(tensor::add(k1, k2), 0.5 * h));  // trapezoid corrector
    result.nfe += 2;
    result.steps += 1;
  }
  return result;
}

namespace {

// Dormand-Prince tableau.  docs/math.md (5.4)
constexpr std::array<double, 7> c = {0.0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1.0, 1.0};
constexpr double a[7][6] = {
    {},
    {1.0 / 5},
    {3.0 / 40, 9.0 / 40},
    {44.0 / 45, -56.0 / 15, 32.0 / 9},
    {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
    {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
    {35.0 / 384, 0.0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84},
};
constexpr std::array<double, 7> b = {35.0 / 384, 0.0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0.0};
constexpr std::array<double, 7> b_star = {5179.0 / 57600,     0.0,           7571.0 / 16695, 393.0 / 640,
                                          -92097.0 / 339200, 187.0 / 2100, 1.0 / 40};

// y + h * sum_j w[j] k[j] over the first n stages (zero weights skipped).
Tensor combine(const Tensor& y, double h, const double* w, const std::array<Tensor, 7>& k, int n) {
  Tensor out = y.clone();
  for (int j = 0; j < n; ++j) {
    if (w[j] != 0.0) tensor::add_scaled_(out, k[j], h * w[j]);
  }
  return out;
}

// RMS over all components of e / scale.
double rms_scaled(const Tensor& e, const Tensor& scale) {
  return std::sqrt(tensor::mean(tensor::square(tensor::div(e, scale))).item());
}

Tensor error_scale(const Tensor& y, const Tensor& y_new, const Rk45Options& o) {
  return tensor::add(tensor::mul(tensor::maximum(tensor::abs(y), tensor::abs(y_new)), o.rtol), o.atol);
}

// Hairer, Norsett, Wanner, Solving ODEs I, II.4 (SciPy's select_initial_step):
// a step whose Euler error is about 1% of the tolerance. One evaluation.
double initial_step(const OdeFn& F, const Tensor& y0, const Tensor& f0, double t0, double direction,
                    const Rk45Options& o, int& nfe) {
  const Tensor scale = tensor::add(tensor::mul(tensor::abs(y0), o.rtol), o.atol);
  const double d0 = rms_scaled(y0, scale);
  const double d1 = rms_scaled(f0, scale);
  const double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
  const Tensor y1 = tensor::add(y0, tensor::mul(f0, direction * h0));
  const Tensor f1 = F(y1, t0 + direction * h0);
  nfe += 1;
  const double d2 = rms_scaled(tensor::sub(f1, f0), scale) / h0;
  const double error_order = 4.0;  // the embedded solution's order
  const double h1 = (d1 <= 1e-15 && d2 <= 1e-15) ? std::max(1e-6, h0 * 1e-3)
                                                 : std::pow(0.01 / std::max(d1, d2), 1.0 / (error_order + 1));
  return std::min(100 * h0, h1);
}

}  // namespace

OdeResult rk45_solve(const OdeFn& F, const Tensor& y0, double t0, double t1, const Rk45Options& options) {
  TENSOR_CHECK(options.rtol > 0 && options.atol > 0, "[rk45_solve] needs rtol, atol > 0, got {} and {}",
               options.rtol, options.atol);
  OdeResult result{y0, 0, 0, 0};
  if (t0 == t1) return result;
  const double direction = t1 > t0 ? 1.0 : -1.0;
  double t = t0;
  std::array<Tensor, 7> k;
  k[0] = F(y0, t0);
  result.nfe += 1;
  // A NaN or infinite drift (a diverged model) makes every step size NaN or 0,
  // and the loop below would spin to max_steps: refuse it at once.
  TENSOR_CHECK(std::isfinite(tensor::sum(tensor::abs(k[0].to(tensor::DType::Float64))).item()),
               "[rk45_solve] the drift at t = {} is not finite (NaN or infinite model outputs)", t0);
  double h = options.h0 > 0 ? options.h0 : initial_step(F, y0, k[0], t0, direction, options, result.nfe);

  // b - b*: the weights of the error estimate y5 - y4.
  std::array<double, 7> e{};
  for (int j = 0; j < 7; ++j) e[j] = b[j] - b_star[j];

  while (direction * (t1 - t) > 0) {
    TENSOR_CHECK(result.steps + result.rejected < options.max_steps,
                 "[rk45_solve] gave up after {} steps at t = {} (h = {})", options.max_steps, t, h);
    const bool last = h >= std::abs(t1 - t);
    if (last) h = std::abs(t1 - t);
    const double hs = direction * h;  // signed step
    const Tensor& y = result.y;
    for (int i = 1; i < 6; ++i) {
      k[i] = F(combine(y, hs, a[i], k, i), t + c[i] * hs);
    }
    const Tensor y_new = combine(y, hs, b.data(), k, 6);  // b[6] = 0
    const double t_new = last ? t1 : t + hs;
    k[6] = F(y_new, t_new);  // FSAL: the next step's k[0]
    result.nfe += 6;

    const Tensor y5_minus_y4 = combine(tensor::zeros_like(y), hs, e.data(), k, 7);
    const double err = rms_scaled(y5_minus_y4, error_scale(y, y_new, options));
    const double factor = err == 0.0 ? 10.0 : std::min(10.0, std::max(0.2, 0.9 * std::pow(err, -0.2)));
    if (err <= 1.0) {
      t = t_new;
      result.y = y_new;
      k[0] = k[6];
      result.steps += 1;
    } else {
      result.rejected += 1;
    }
    h *= factor;
  }
  return result;
}

}  // namespace diffusion
