// The optimal K-step trajectory by dynamic programming (docs/math.md (9.2)-(9.3)):
// the cost J(s, t) of a DDPM-type jump with the optimal variance, and the
// sub-sequence 1 = tau_1 < ... < tau_K = T that minimizes its sum. Any
// K-step sampler can walk the result; the ELBO itself is elbo.h.
#pragma once
#include <cstdint>
#include <vector>

#include "diffusion/schedule.h"

namespace diffusion::analytic {

// J(s, t) = log(sigma*^2_{s|t} / beta_tilde_{s|t}), 1 <= s < t, with sigma*^2
// from (7.4) (eta = 1) and C_t already clipped (7.6): docs/math.md (9.2). The
// expected KL term of the jump is (d/2) J(s, t), so J >= 0.
double jump_cost(const Schedule& schedule, int64_t s, int64_t t, double C_t);

// Note [Decoder term in the DP]: (9.1)'s Gaussian decoder has variance
// beta_tilde_{1|tau_2}, so it is not independent of the trajectory, as (9.2)
// assumes: a DP that ignores it crowds tau_2 towards 1 (cheap jumps), which
// shrinks the decoder's variance below the error of x0_hat(x_1) and loses more
// in the decoder than it gains (on our 2-D mixture at K = 100, 0.04 nats).
// Its expected cost in units of d/2 is, up to a constant,
//   D(tau_2) = log beta_tilde_{1|tau_2} + C_1 / beta_tilde_{1|tau_2},
// with C_1 the mean squared error of x0_hat at t = 1; pass decoder_c1 = C[1]
// (>= 0) to add it to the first jump, a negative value for the papers' DP.
// (The discretized decoder (2.9) of 8-bit images depends on sigma only weakly
// while sigma is below the bin width; leave it off there.)
double decoder_cost(const Schedule& schedule, int64_t tau_2, double decoder_c1);

// The trajectory of K >= 2 steps with tau_1 = 1 and tau_K = T minimizing
// sum_k J(tau_{k-1}, tau_k) (+ D(tau_2) if decoder_c1 >= 0), docs/math.md (9.3):
// O(K T^2) time, O(K T) memory. C has T + 1 entries, C[t] the clipped C_t
// (GammaTable::c_all); feed it the same estimate the sampler uses. K = T gives 1..T.
std::vector<int64_t> optimal_trajectory(const Schedule& schedule, const std::vector<double>& C, int64_t K,
                                        double decoder_c1 = -1);

// The DP's objective along a trajectory: sum_k J(tau_{k-1}, tau_k) (+ D(tau_2)).
double trajectory_cost(const Schedule& schedule, const std::vector<double>& C, const std::vector<int64_t>& trajectory,
                       double decoder_c1 = -1);

}  // namespace diffusion::analytic
