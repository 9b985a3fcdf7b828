// The exact answer the deterministic samplers of the discrete schedule
// approximate, on the Gaussian-mixture oracle (docs/math.md sections 10, 12):
// the probability-flow ODE from t = T down to t = 1, then the denoiser at
// t = 1. Used to measure a solver's error against its NFE; samplers are elsewhere.
#pragma once
#include "diffusion/oracle.h"
#include "diffusion/schedule.h"

namespace diffusion {

// Shapes: x_T and the results are (N, d), in x_T's dtype (float64 for tight references).
//
// Note [One map for every ODE sampler]: DDIM (eta = 0), DPM-Solver++ and EDM's
// Heun all solve the same ODE. In x = x_t / a_t it reads
//   dx/dsigma = (x - D(x; sigma)) / sigma,  sigma = b_t / a_t,  D = x0_hat,
// which does not depend on the schedule. Each starts at x_T / a_T (sigma_T)
// and ends with x0_hat at t = 1: DDIM's and DPM-Solver++'s last step and
// EDM's last Euler step from sigma_1 to 0 are all x0_hat(x_1). So from the
// same x_T they approximate one map, and their errors against it compare.

// That map, by Dormand-Prince (ode.h) on dx/du = sigma eps(a x, sigma) with
// u = log sigma (smooth over the four decades sigma spans), rtol = atol = tol.
Tensor oracle_flow_map(const GaussianMixture& gmm, const Schedule& schedule, const Tensor& x_T, double tol = 1e-10);

// The same in closed form for a single Gaussian N(mu, s^2 I) (gmm.K() == 1):
// D = mu + s^2 (x - mu) / (s^2 + sigma^2), so (x - mu) / sqrt(s^2 + sigma^2)
// stays constant along the flow, and x0_hat(x_1) = mu + s^2 (x_1 - mu) / (s^2 + sigma_1^2).
Tensor single_gaussian_flow_map(const GaussianMixture& gmm, const Schedule& schedule, const Tensor& x_T);

}  // namespace diffusion
