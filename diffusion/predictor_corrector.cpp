// The reverse-SDE sampling loop with an optional Langevin corrector (docs/math.md
// 4.6-4.9). Everything runs without recording a graph.
#include "diffusion/predictor_corrector.h"

#include <cmath>

#include "autograd/grad_mode.h"

namespace diffusion {

std::vector<double> sde_time_grid(const Sde& sde, int steps) {
  TENSOR_CHECK(steps >= 1, "[sde_time_grid] needs at least one step, got {}", steps);
  std::vector<double> times(steps + 1);
  for (int i = 0; i <= steps; ++i) {
    times[i] = 1.0 - (1.0 - sde.t_min()) * i / steps;
  }
  times[steps] = sde.t_min();  // exactly, whatever the rounding above
  return times;
}

LangevinCorrector::LangevinCorrector(const Sde& sde, const EpsModel& eps_model, int steps, double snr, int n_steps)
    : sde_(sde), eps_model_(eps_model), steps_(steps), snr_(snr), n_steps_(n_steps) {
  TENSOR_CHECK(steps >= 1 && n_steps >= 1 && snr > 0,
               "[LangevinCorrector] needs steps >= 1, n_steps >= 1, snr > 0; got {}, {}, {}", steps, n_steps, snr);
}

namespace {
// mean over the batch of the per-sample L2 norms: (N, ...) -> one number.
double mean_sample_norm(const Tensor& x) {
  const int64_t n = x.size(0);
  return tensor::mean(tensor::sqrt(tensor::sum(tensor::square(x.reshape({n, -1})), {1}))).item();
}
}  // namespace

PredictorStep LangevinCorrector::step(const Tensor& x_in, double t, Generator& gen) const {
  // alpha: 1 for VE; for VP and sub-VP (a SubVpSde is a VpSde) the discrete
  // alpha_i = 1 - beta(t)/K of docs/math.md (4.8), taken as e^{-beta(t)/K}: the two
  // agree to first order (to 2e-4 at K = 1000), and the exponential stays
  // positive when K < beta(t), where 1 - beta/K < 0 would make sqrt(2 delta) NaN.
  double alpha = 1.0;
  if (const auto* vp = dynamic_cast<const VpSde*>(&sde_)) alpha = std::exp(-vp->beta(t) / steps_);
  Tensor x = x_in;
  Tensor x_mean = x_in;
  for (int i = 0; i < n_steps_; ++i) {
    const Tensor s = sde_.score(eps_model_, x, t);
    const Tensor z = tensor::randn_like(x, gen);
    // Batch-averaged norms: per-sample ratios blow up where s is near 0.  docs/math.md (4.8)
    const double ratio = snr_ * mean_sample_norm(z) / mean_sample_norm(s);
    const double delta = 2.0 * alpha * ratio * ratio;
    x_mean = tensor::add(x, tensor::mul(s, delta));
    x = tensor::add(x_mean, tensor::mul(z, std::sqrt(2.0 * delta)));
  }
  return {x, x_mean};
}

SdeSampleResult sample_sde(const Sde& sde, const EpsModel& eps_model, const Predictor& predictor,
                           const LangevinCorrector* corrector, int steps, const Shape& shape, Generator& gen,
                           FinalStep final_step) {
  autograd::NoGradGuard no_grad;
  const std::vector<double> times = sde_time_grid(sde, steps);
  SdeSampleResult result;
  PredictorStep state{sde.prior_sample(shape, gen), Tensor()};
  state.x_mean = state.x;
  for (int i = 0; i < steps; ++i) {
    const double t = times[i];
    const double dt = times[i] - times[i + 1];
    state = predictor.step(state.x, t, dt, gen);
    result.nfe += 1;
    const bool last = (i + 1 == steps);
    if (corrector != nullptr && !last) {
      // The corrector's own mean is discarded: Mean returns the predictor's.
      state.x = corrector->step(state.x, times[i + 1], gen).x;
      result.nfe += corrector->n_steps();
    }
  }
  switch (final_step) {
    case FinalStep::Noisy:
      result.x = state.x;
      break;
    case FinalStep::Mean:
      result.x = state.x_mean;
      break;
    case FinalStep::Tweedie: {
      // x0_hat = (x + sigma^2 s(x, t_min)) / m(t_min).  docs/math.md (4.9)
      const double t = sde.t_min();
      const double sigma = sde.sigma(t);
      const Tensor s = sde.score(eps_model, state.x, t);
      result.x = tensor::mul(tensor::add(state.x, tensor::mul(s, sigma * sigma)), 1.0 / sde.m(t));
      result.nfe += 1;
      break;
    }
  }
  return result;
}

}  // namespace diffusion
