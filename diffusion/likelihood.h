// Likelihoods in nats and bits/dim: the exact log-likelihood through the
// probability-flow ODE (docs/math.md 5.5-5.8), divergence exact or Hutchinson's,
// and the DDPM ELBO with the discretized Gaussian decoder (2.7-2.9). No
// sampling here.
#pragma once
#include <string>

#include "diffusion/model.h"
#include "diffusion/ode.h"
#include "diffusion/schedule.h"
#include "diffusion/sde.h"

namespace diffusion {

// Shapes: x is (N, ...) with D values per sample; log-densities are (N,).

enum class Divergence {
  Exact,                 // sum_i e_i^T (dF/dx) e_i, D vjps per evaluation.  docs/math.md (5.6)
  HutchinsonRademacher,  // v^T (dF/dx) v, v in {-1, +1}^D.  docs/math.md (5.7)
  HutchinsonGaussian,    // the same with v ~ N(0, I).  docs/math.md (5.7)
};
std::string divergence_name(Divergence divergence);

struct LikelihoodOptions {
  Divergence divergence = Divergence::Exact;
  Rk45Options rk45;  // rtol = atol = 1e-5 by default, as the score-SDE code
};

struct LikelihoodResult {
  Tensor log_p;        // (N,) float64: log p_{t_min}(x) in nats
  Tensor prior_log_p;  // (N,) log p_1(x(1))
  Tensor delta;        // (N,) Delta(1) = integral of div F from t_min to 1
  int nfe = 0;         // evaluations of the augmented drift (whole batch)
  int vjps = 0;        // vector-Jacobian products: the model cost (each ~ forward + backward)
};

// Integrates the augmented state (x, Delta) from t_min to 1:
//   dx/dt = F(x, t),  dDelta/dt = div F(x, t),
//   log p_{t_min}(x) = log p_1(x(1)) + Delta(1).  docs/math.md (5.5)
// x is treated as a sample at t_min (as the score-SDE code does). The batch is
// one ODE (shared steps). Hutchinson probes come from gen, one per sample,
// fixed for the solve. Runs the model through autograd::vjp.
LikelihoodResult ode_log_likelihood(const Sde& sde, const EpsModel& eps_model, const Tensor& x, Generator& gen,
                                    const LikelihoodOptions& options = {});

struct BitsPerDimResult {
  Tensor bpd;  // (N,) float64
  int nfe = 0;
  int vjps = 0;
};

// 8-bit data x_int (values 0..255, any float dtype), dequantized as
// y = (x_int + u)/128 - 1, u ~ U[0,1)^D, then
//   bpd = -log p(y) / (D ln 2) + 7.  docs/math.md (5.8)
// An upper bound on the discrete negative log-likelihood in bits/dim.
BitsPerDimResult ode_bits_per_dim(const Sde& sde, const EpsModel& eps_model, const Tensor& x_int, Generator& gen,
                                  const LikelihoodOptions& options = {});

// ---- The DDPM ELBO, docs/math.md (2.7)-(2.9) ----

// The reverse variance sigma_t^2 of p_theta(x_{t-1} | x_t).  docs/math.md (2.6)
enum class ElboVariance {
  Beta,       // sigma_t^2 = beta_t; the decoder uses beta_1
  BetaTilde,  // sigma_t^2 = beta_tilde_t; the decoder uses beta_tilde_2 (beta_tilde_1 = 0)
};

struct ElboResult {
  Tensor nats;          // (N,) float64: L_T + sum_{t=2..T} L_{t-1} + L_0, an upper bound on -log p(x_0)
  Tensor bpd;           // (N,) nats / (D ln 2)
  Tensor prior_term;    // (N,) L_T
  Tensor decoder_term;  // (N,) L_0
  int nfe = 0;          // model evaluations (T)
};

// The DDPM negative ELBO of 8-bit data x0 (N, ...), values on the grid
// k/127.5 - 1, k = 0..255. Each L_{t-1} is one Monte Carlo draw of x_t ~
// q(x_t | x0) (an unbiased estimate of the expectation in (2.7)); the KLs are
// (2.8) in closed form, and L_0 is the discretized decoder (2.9) in log space.
// The model is called with the DDPM label t - 1 (model.h). Float64 inside.
ElboResult ddpm_elbo(const Schedule& schedule, const EpsModel& eps_model, const Tensor& x0, Generator& gen,
                     ElboVariance variance = ElboVariance::BetaTilde);

// log Phi(z) for the standard normal CDF, accurate in both tails (exposed for tests).
double log_normal_cdf(double z);
// log(Phi(hi) - Phi(lo)) for lo < hi (either may be infinite), without underflow.
double log_normal_cdf_difference(double lo, double hi);

}  // namespace diffusion
