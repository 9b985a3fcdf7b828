// The two reverse-SDE predictors: Euler-Maruyama (docs/math.md 4.6) and reverse
// diffusion (4.7). Coefficients are host doubles; each step is a handful of
// tensor ops on the whole batch.
#include "diffusion/reverse_sde.h"

#include <algorithm>
#include <cmath>

namespace diffusion {

PredictorStep EulerMaruyamaPredictor::step(const Tensor& x, double t, double dt, Generator& gen) const {
  const double g = sde_.g(t);
  const Tensor s = sde_.score(eps_model_, x, t);
  // The reverse drift f - g^2 s, integrated backwards over dt.  docs/math.md (4.6)
  const Tensor reverse_drift = tensor::sub(sde_.f(x, t), tensor::mul(s, g * g));
  const Tensor x_mean = tensor::sub(x, tensor::mul(reverse_drift, dt));
  const Tensor z = tensor::randn_like(x, gen);
  return {tensor::add(x_mean, tensor::mul(z, g * std::sqrt(dt))), x_mean};
}

PredictorStep ReverseDiffusionPredictor::step(const Tensor& x, double t, double dt, Generator& gen) const {
  const double s_time = t - dt;
  // The forward chain's one-step kernel from s to t.  docs/math.md (4.7), (1.9)
  const double sqrt_alpha = sde_.m(t) / sde_.m(s_time);
  const double sigma_t = sde_.sigma(t);
  const double sigma_s = sde_.sigma(s_time);
  // Nonnegative in exact arithmetic (sigma^2 / m^2 grows with t); clamp rounding.
  const double beta = std::max(0.0, sigma_t * sigma_t - sqrt_alpha * sqrt_alpha * sigma_s * sigma_s);
  const Tensor score = sde_.score(eps_model_, x, t);
  // Tweedie for that kernel, then its noise: the ancestral step.  docs/math.md (2.5), (2.6)
  const Tensor x_mean = tensor::mul(tensor::add(x, tensor::mul(score, beta)), 1.0 / sqrt_alpha);
  const Tensor z = tensor::randn_like(x, gen);
  return {tensor::add(x_mean, tensor::mul(z, std::sqrt(beta))), x_mean};
}

}  // namespace diffusion
