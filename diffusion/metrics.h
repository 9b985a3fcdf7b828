// Measuring samples against data (docs/math.md section 11): the sliced
// Wasserstein distance (11.1) between two point sets, the fit of samples
// to a known Gaussian mixture (11.2), and the Frechet distance between two
// sets of features (11.3). The classifier that makes image features is
// nn/models/classifier.h; `diffuse score` puts the pieces together.
#pragma once
#include <cstdint>
#include <vector>

#include "diffusion/oracle.h"

namespace diffusion {

// Shapes: n points, d dimensions, K components, L directions.
//
// Sliced Wasserstein-1 distance between X and Y, both (n, d) (docs/math.md (11.1)):
// L random unit directions from Generator(seed) (the same seed, the same
// directions, so two SWDs with one seed are comparable); per direction the
// mean |difference| of the sorted projections; the mean over directions.
double sliced_wasserstein(const Tensor& X, const Tensor& Y, int64_t L = 128, uint64_t seed = 0);

// How well samples reproduce a mixture (docs/math.md (11.2)): each sample goes to
// the component with the largest responsibility at t = 0.
struct MixtureFit {
  std::vector<double> fractions;  // (K) share of samples per component
  Tensor means;                   // (K, d) float64 mean of each component's samples (NaN row if none)
  double max_weight_error = 0;    // max_k |fraction_k - w_k|
  double max_mean_error = 0;      // max_k ||mean_k - mu_k|| over components with samples
};
MixtureFit mixture_fit(const GaussianMixture& gmm, const Tensor& samples);

// Shapes: N feature vectors, D features.
//
// The mean (D) and the unbiased covariance (D, D) (divided by N - 1) of
// features (N, D), N >= 2; both float64.
struct FeatureStatistics {
  Tensor mean;
  Tensor cov;
};
FeatureStatistics feature_statistics(const Tensor& features);

// The Frechet distance between the Gaussians N(mean1, cov1) and N(mean2,
// cov2), in float64 (docs/math.md (11.3); Note [Frechet distance] in metrics.cpp):
//   ||mean1 - mean2||^2 + Tr(cov1 + cov2 - 2 (cov1 cov2)^{1/2}).
// Means (D), covariances (D, D) symmetric positive semi-definite.
double frechet_distance(const Tensor& mean1, const Tensor& cov1, const Tensor& mean2, const Tensor& cov2);
double frechet_distance(const FeatureStatistics& a, const FeatureStatistics& b);

}  // namespace diffusion
