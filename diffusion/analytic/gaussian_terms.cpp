// KL and decoder terms of the ELBO (docs/math.md (2.8), (2.9)), in float64. The
// log-space normal CDF difference is likelihood.h's.
#include "diffusion/analytic/gaussian_terms.h"

#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include "diffusion/likelihood.h"
#include "tensor/ops.h"

namespace diffusion::analytic {

namespace t = tensor;

namespace {
// (N, ...) -> (N,): sum of each point's values.
Tensor sum_per_point(const Tensor& x) { return t::sum(x.reshape({x.size(0), -1}), {1}); }
}  // namespace

Tensor gaussian_kl_elementwise(const Tensor& mean_diff, double v1, const Tensor& v2) {
  const Tensor diff = mean_diff.to(t::DType::Float64);
  const Tensor v2_full = (t::zeros_like(diff) + v2.to(t::DType::Float64));  // broadcast a scalar v2 over every dim
  const Tensor ratio = v1 / v2_full;
  // docs/math.md (2.8), per dimension
  return 0.5 * (ratio - 1.0 - t::log(ratio)) + t::square(diff) / (2.0 * v2_full);
}

Tensor gaussian_kl(const Tensor& mean_diff, double v1, const Tensor& v2) {
  return sum_per_point(gaussian_kl_elementwise(mean_diff, v1, v2));
}

Tensor gaussian_nll(const Tensor& x, const Tensor& mu, double var) {
  const Tensor diff = (x.to(t::DType::Float64) - mu.to(t::DType::Float64));
  const Tensor nll = 0.5 * std::log(2.0 * std::numbers::pi * var) + t::square(diff) / (2.0 * var);
  return sum_per_point(nll);
}

Tensor discretized_gaussian_nll(const Tensor& x, const Tensor& mu, double sigma) {
  // The log-space CDF difference is a host loop: it reads host copies (once per
  // batch, for the decoder term) and returns the result on x's device.
  const Tensor xc = x.to(t::DType::Float64).to(t::Device::CPU).contiguous();
  const Tensor mc = (t::zeros_like(xc) + mu.to(t::DType::Float64).to(t::Device::CPU)).contiguous();
  const int64_t N = xc.size(0);
  const int64_t d = xc.numel() / N;
  const double* xp = xc.data<double>();
  const double* mp = mc.data<double>();
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> out(N, 0.0);
  for (int64_t n = 0; n < N; ++n) {
    double total = 0;
    for (int64_t i = 0; i < d; ++i) {
      const double v = xp[n * d + i];
      const double m = mp[n * d + i];
      // docs/math.md (2.9): bin [v - 1/255, v + 1/255], open at the edges of [-1, 1]
      const double hi = v > 1.0 - 1e-6 ? inf : (v + 1.0 / 255.0 - m) / sigma;
      const double lo = v < -1.0 + 1e-6 ? -inf : (v - 1.0 / 255.0 - m) / sigma;
      total -= log_normal_cdf_difference(lo, hi);  // likelihood.h, in log space
    }
    out[n] = total;
  }
  return t::from_vector(out, {N}, t::DType::Float64, x.device());
}

}  // namespace diffusion::analytic
