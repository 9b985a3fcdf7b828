// Predictors for the reverse-time SDE (docs/math.md 4.2): one step from t to
// t - dt, each a small object. Euler-Maruyama (4.6) and the reverse-
// diffusion predictor (4.7). The sampling loop, the Langevin corrector and
// the final denoising step are in predictor_corrector.h.
#pragma once
#include <string>

#include "diffusion/model.h"
#include "diffusion/sde.h"

namespace diffusion {

// Shapes: x is (N, ...), N samples at one common time t.

// What a predictor returns: the new sample and its mean before the noise
// was added (the final step returns the mean; docs/math.md 4.9).
struct PredictorStep {
  Tensor x;
  Tensor x_mean;
};

class Predictor {
 public:
  virtual ~Predictor() = default;
  virtual std::string name() const = 0;
  // x at time t -> x at time t - dt (dt > 0). One model evaluation.
  virtual PredictorStep step(const Tensor& x, double t, double dt, Generator& gen) const = 0;
};

// Euler-Maruyama on the reverse SDE (4.2), stepping backwards in time:
//   x <- x - [f(x, t) - g(t)^2 s(x, t)] dt + g(t) sqrt(dt) z.   docs/math.md (4.6)
// Holds references: sde and eps_model must outlive it.
class EulerMaruyamaPredictor : public Predictor {
 public:
  EulerMaruyamaPredictor(const Sde& sde, const EpsModel& eps_model) : sde_(sde), eps_model_(eps_model) {}
  std::string name() const override { return "euler-maruyama"; }
  PredictorStep step(const Tensor& x, double t, double dt, Generator& gen) const override;

 private:
  const Sde& sde_;
  const EpsModel& eps_model_;
};

// Reverse diffusion (4.7): undo one step of the forward chain that the SDE
// induces between s = t - dt and t,
//   x_t = sqrt(alpha) x_s + sqrt(beta) z,  sqrt(alpha) = m(t) / m(s),
//   beta = sigma(t)^2 - alpha sigma(s)^2     (both kernels of table 4.3),
// by the ancestral step (2.5) with its upper variance (2.6):
//   x_s = (x_t + beta s(x_t, t)) / sqrt(alpha) + sqrt(beta) z.
// The mean is Tweedie's formula for that one-step kernel. For VP this is the
// DDPM step with beta_i = 1 - m(t)^2/m(s)^2; for VE (alpha = 1) it is the
// score-SDE code's step with beta = sigma(t)^2 - sigma(s)^2.
class ReverseDiffusionPredictor : public Predictor {
 public:
  ReverseDiffusionPredictor(const Sde& sde, const EpsModel& eps_model) : sde_(sde), eps_model_(eps_model) {}
  std::string name() const override { return "reverse-diffusion"; }
  PredictorStep step(const Tensor& x, double t, double dt, Generator& gen) const override;

 private:
  const Sde& sde_;
  const EpsModel& eps_model_;
};

}  // namespace diffusion
