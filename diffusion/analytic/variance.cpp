// The optimal reverse variance of one jump (docs/math.md (7.1)-(7.7)).
#include "diffusion/analytic/variance.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "tensor/error.h"

namespace diffusion::analytic {

Protocol parse_protocol(const std::string& name) {
  if (name == "reference") return Protocol::Reference;
  if (name == "legacy") return Protocol::Legacy;
  throw tensor::Error(fmt::format("[parse_protocol] unknown protocol '{}' (expected reference or legacy)", name));
}

std::string protocol_name(Protocol protocol) { return protocol == Protocol::Reference ? "reference" : "legacy"; }

JumpCoefficients jump_coefficients(const Schedule& schedule, int64_t t, int64_t s, double eta) {
  TENSOR_CHECK(0 <= s && s < t && t <= schedule.T,
               "[jump_coefficients] need 0 <= s < t <= T, got s = {}, t = {}, T = {}", s, t, schedule.T);
  TENSOR_CHECK(eta >= 0 && eta <= 1, "[jump_coefficients] eta must lie in [0, 1], got {}", eta);
  const double alpha_bar_t = schedule.alpha_bar[t];
  const double alpha_bar_s = schedule.alpha_bar[s];
  JumpCoefficients c;
  // docs/math.md (3.1): lambda^2 = eta^2 beta_tilde_{s|t} (zero at s = 0, where alpha_bar_0 = 1)
  c.lambda2 = s == 0 ? 0.0 : eta * eta * schedule.beta_tilde_jump(s, t);
  // 1 - alpha_bar_s - lambda^2 >= 0 in exact arithmetic; guard the rounding at s = 0.
  const double keep = std::max(0.0, 1.0 - alpha_bar_s - c.lambda2);
  // docs/math.md (3.3): the coefficients of x_t and x0_hat
  c.coef_xt = std::sqrt(keep) / schedule.b(t);
  c.gamma = std::sqrt(alpha_bar_s) - std::sqrt(keep * alpha_bar_t / (1.0 - alpha_bar_t));
  return c;
}

double c_upper_bound(const Schedule& schedule, int64_t t, const DataBounds& bounds) {
  // docs/math.md (7.6): the smallest of the bounds that apply
  const double alpha_bar_t = schedule.alpha_bar.at(t);
  double upper = (1.0 - alpha_bar_t) / alpha_bar_t;
  if (bounds.data_var >= 0) upper = std::min(upper, bounds.data_var);
  if (bounds.range) {
    const double half = (bounds.range->second - bounds.range->first) / 2.0;
    upper = std::min(upper, half * half);
  }
  return upper;
}

double clip_c(double C, const Schedule& schedule, int64_t t, const DataBounds& bounds) {
  // NaN would pass std::clamp unchanged; an estimate that failed is a bug upstream.
  TENSOR_CHECK(!std::isnan(C), "[clip_c] C_t is NaN at t = {}", t);
  return std::clamp(C, 0.0, c_upper_bound(schedule, t, bounds));  // docs/math.md (7.6)
}

double optimal_sigma2(const Schedule& schedule, int64_t t, int64_t s, double eta, double C) {
  const JumpCoefficients c = jump_coefficients(schedule, t, s, eta);
  return c.lambda2 + c.gamma * c.gamma * C;  // docs/math.md (7.1)
}

double first_jump_sigma2_max(double y) {
  // docs/math.md (7.7): E|sigma z| = sigma sqrt(2/pi) <= 2y/255
  const double sigma = y * (2.0 / 255.0) * std::sqrt(std::numbers::pi / 2.0);
  return sigma * sigma;
}

}  // namespace diffusion::analytic
