// The optimal reverse variance of one jump t -> s (docs/math.md (7.1)-(7.6)):
// the coefficients lambda^2 and gamma of the step (3.3), the bounds of C_t
// and sigma*^2 = lambda^2 + gamma^2 C_t. Pure arithmetic on a Schedule; where
// C_t comes from (a Gamma table, a covariance head) is gamma_table.h / cov_head.h.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "diffusion/schedule.h"

namespace diffusion::analytic {

// Note [Reference protocol]: two choices of the Extended-Analytic-DPM
// reference code that change the numbers (docs/math.md section 8, (9.1)).
//   Reference (the default): when x0_hat is clipped to the data range (images),
//     it is clipped in the mean of every jump term of the K-step bound, not
//     only in the decoder; and a head's C(x_t) is clamped per element to
//     [0, ((hi - lo)/2)^2] ([0, 1] for images; only at 0 without a range).
//   Legacy (`--protocol legacy`, what this code did first): the jump terms use
//     the unclipped x0_hat; a head's C(x_t) is clamped per element to [0, the
//     smallest (7.6) bound], which includes the data variance, a bound on the
//     average over elements, not on each one.
// The samplers clip x0_hat in every jump under both; only the clamp differs there.
enum class Protocol { Reference, Legacy };
Protocol parse_protocol(const std::string& name);  // "reference" or "legacy"
std::string protocol_name(Protocol protocol);

// The two numbers that fix the reverse family (3.3) of a jump t -> s (0 <= s < t):
//   lambda2 = eta^2 beta_tilde_{s|t}            the added noise's variance (3.1)
//   gamma   = sqrt(alpha_bar_s) - sqrt((1 - alpha_bar_s - lambda2) alpha_bar_t / (1 - alpha_bar_t))
//   coef_xt = sqrt(1 - alpha_bar_s - lambda2) / b_t
// so the step is x_s = coef_xt x_t + gamma x0_hat + sigma z (docs/math.md (3.3), (7.1)).
// eta = 1 is the DDPM-type jump (lambda2 = beta_tilde), eta = 0 DDIM.
struct JumpCoefficients {
  double lambda2 = 0;
  double gamma = 0;
  double coef_xt = 0;
};
JumpCoefficients jump_coefficients(const Schedule& schedule, int64_t t, int64_t s, double eta);

// The smallest upper bound of C_t (docs/math.md (7.6)): (1 - alpha_bar_t)/alpha_bar_t
// (from Gamma_t >= 0), the data's average per-dimension variance (law of total
// variance; pass a negative value when unknown) and ((hi - lo)/2)^2 when the
// data lies in [lo, hi]^d (images: 1).
struct DataBounds {
  double data_var = -1;                            // average per-dimension Var(x_0), < 0: unknown
  std::optional<std::pair<double, double>> range;  // [lo, hi] of every coordinate, if bounded
};
double c_upper_bound(const Schedule& schedule, int64_t t, const DataBounds& bounds);
// C clipped into [0, c_upper_bound] (docs/math.md (7.6)).
double clip_c(double C, const Schedule& schedule, int64_t t, const DataBounds& bounds);

// sigma*^2 = lambda2 + gamma^2 C of the jump t -> s, docs/math.md (7.1); C must
// already be clipped. (7.4) and (7.5) are its eta = 1 and eta = 0 cases.
double optimal_sigma2(const Schedule& schedule, int64_t t, int64_t s, double eta, double C);

// The image rule of docs/math.md (7.7): the jump tau_2 -> tau_1 keeps
// E|sigma z| <= 2y/255, i.e. sigma^2 <= (y (2/255) sqrt(pi/2))^2.
double first_jump_sigma2_max(double y);

}  // namespace diffusion::analytic
