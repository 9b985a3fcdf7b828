// Sampling the reverse SDE: the time grid, the Langevin corrector (docs/math.md
// 4.8), the final denoising step (4.9) and the loop that runs a predictor
// (reverse_sde.h) with or without a corrector. A predictor alone with
// Euler-Maruyama is the plain reverse-SDE sampler.
#pragma once
#include <vector>

#include "diffusion/model.h"
#include "diffusion/reverse_sde.h"
#include "diffusion/sde.h"

namespace diffusion {

// Shapes: x is (N, ...), N samples at one common time t.

// The grid 1 = t_K > ... > t_0 = t_min, evenly spaced, K steps (K + 1 times),
// returned from t_K down to t_0.  docs/math.md (4.6)
std::vector<double> sde_time_grid(const Sde& sde, int steps);

// Langevin corrector (4.8): M steps of
//   delta = 2 alpha (r mean_b ||z_b|| / mean_b ||s_b||)^2,  x <- x + delta s + sqrt(2 delta) z,
// with the norms per sample b averaged over the batch (so one sample's step
// size depends on the rest of its batch, as in the score-SDE code), alpha = 1
// for VE and 1 - beta(t)/K for VP and sub-VP (K = the sampler's steps),
// evaluated as e^{-beta(t)/K} so that it stays positive for K < beta_max.
// Holds references: sde and eps_model must outlive it.
class LangevinCorrector {
 public:
  LangevinCorrector(const Sde& sde, const EpsModel& eps_model, int steps, double snr = 0.16, int n_steps = 1);
  // M corrector steps at time t. M model evaluations.
  PredictorStep step(const Tensor& x, double t, Generator& gen) const;
  int n_steps() const { return n_steps_; }

 private:
  const Sde& sde_;
  const EpsModel& eps_model_;
  int steps_;       // K, for alpha = 1 - beta(t)/K
  double snr_;      // r
  int n_steps_;     // M
};

// How the last step ends.  docs/math.md (4.9)
enum class FinalStep {
  Noisy,    // return the last step's sample, noise included
  Mean,     // return the last predictor's mean without its noise (score-SDE default)
  Tweedie,  // x0_hat = (x + sigma^2 s(x, t_min)) / m(t_min), one more model evaluation
};

struct SdeSampleResult {
  Tensor x;
  int nfe = 0;  // model evaluations for the whole batch
};

// Draws x_K from the prior and runs `predictor` over the grid of `steps`
// steps; with a corrector, after each predictor step to a time t > t_min,
// corrector.step at t (so the last predictor's mean is what Mean returns).
// Runs under NoGradGuard. Same generator state -> same samples, bit for bit.
SdeSampleResult sample_sde(const Sde& sde, const EpsModel& eps_model, const Predictor& predictor,
                           const LangevinCorrector* corrector, int steps, const Shape& shape, Generator& gen,
                           FinalStep final_step = FinalStep::Mean);

}  // namespace diffusion
