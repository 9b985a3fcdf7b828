// The per-point Gaussian terms of a K-step ELBO with a diagonal reverse
// covariance: the KL (2.8) in its diagonal form, the Gaussian decoder for
// continuous data and the discretized decoder (2.9) on tensors. likelihood.h
// holds the DDPM ELBO's isotropic versions (file-local there) and the
// log-space CDF difference used here; one home for both would be better.
#pragma once
#include "diffusion/model.h"

namespace diffusion::analytic {

// Shapes: N points, each with d values (any trailing dims). Outputs are (N,)
// float64, in nats, summed over a point's d values.

// KL(N(mu1, v1) || N(mu2, v2)) per point for diagonal Gaussians, given only
// the mean difference: docs/math.md (2.8), summed over the d dimensions,
//   sum_i (1/2)(v1/v2_i - 1 - log(v1/v2_i)) + diff_i^2 / (2 v2_i).
// mean_diff = mu1 - mu2 (N, ...); v1 a scalar; v2 broadcasts against mean_diff.
Tensor gaussian_kl(const Tensor& mean_diff, double v1, const Tensor& v2);
// The same KL before the sum over dimensions: mean_diff's shape, float64.
Tensor gaussian_kl_elementwise(const Tensor& mean_diff, double v1, const Tensor& v2);

// -log N(x; mu, var I) per point, summed over the d dimensions.
Tensor gaussian_nll(const Tensor& x, const Tensor& mu, double var);

// -log p(x | mu, sigma) per point under the discretized Gaussian of docs/math.md
// (2.9): x on the 256-level grid of [-1, 1] (bin half-width 1/255), the edge
// bins open to +-infinity; in log space (log_normal_cdf_difference, likelihood.h).
Tensor discretized_gaussian_nll(const Tensor& x, const Tensor& mu, double sigma);

}  // namespace diffusion::analytic
