// Sample metrics (docs/math.md section 11). Sorting is done on plain vectors: the
// tensor layer has no sort, and a metric needs no gradient.
#include "diffusion/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "autograd/grad_mode.h"
#include "diffusion/symmetric_eigen.h"
#include "tensor/ops.h"
#include "tensor/random.h"

namespace diffusion {

namespace t = tensor;

double sliced_wasserstein(const Tensor& X, const Tensor& Y, int64_t L, uint64_t seed) {
  TENSOR_CHECK(X.dim() == 2 && Y.dim() == 2 && X.shape() == Y.shape() && X.size(0) > 0,
               "[sliced_wasserstein] X and Y must both be (n, d) with n > 0, got {} and {}", t::shape_str(X.shape()),
               t::shape_str(Y.shape()));
  TENSOR_CHECK(L >= 1, "[sliced_wasserstein] needs L >= 1 directions, got {}", L);
  const int64_t n = X.size(0);
  const int64_t d = X.size(1);
  // Unit directions: a Gaussian vector normalised is uniform on the sphere.
  t::Generator gen(seed);
  Tensor u = t::randn({L, d}, gen, t::DType::Float64);
  u = u / t::sqrt(t::sum(t::square(u), {1}, true));
  // Projections (n, L), one column per direction.
  // The projections are sorted on the host: host copies of X and Y.
  const Tensor px = t::matmul(X.to(t::Device::CPU).to(t::DType::Float64), u.t()).t().contiguous();  // (L, n)
  const Tensor py = t::matmul(Y.to(t::Device::CPU).to(t::DType::Float64), u.t()).t().contiguous();
  const double* x = px.data<double>();
  const double* y = py.data<double>();
  double total = 0.0;
  std::vector<double> xs(n), ys(n);
  for (int64_t l = 0; l < L; ++l) {
    std::copy(x + l * n, x + (l + 1) * n, xs.begin());
    std::copy(y + l * n, y + (l + 1) * n, ys.begin());
    std::sort(xs.begin(), xs.end());
    std::sort(ys.begin(), ys.end());
    // In 1-D the optimal coupling matches sorted order: W1 = mean |x_(i) - y_(i)|.
    double w1 = 0.0;
    for (int64_t i = 0; i < n; ++i) w1 += std::abs(xs[i] - ys[i]);
    total += w1 / static_cast<double>(n);
  }
  return total / static_cast<double>(L);  // docs/math.md (11.1)
}

MixtureFit mixture_fit(const GaussianMixture& gmm, const Tensor& samples) {
  gmm.validate();
  TENSOR_CHECK(samples.dim() == 2 && samples.size(1) == gmm.d(), "[mixture_fit] samples must be (n, {}), got {}",
               gmm.d(), t::shape_str(samples.shape()));
  autograd::NoGradGuard no_grad;
  const int64_t n = samples.size(0);
  const int64_t K = gmm.K();
  const int64_t d = gmm.d();
  const Tensor x = samples.to(t::Device::CPU).to(t::DType::Float64).contiguous();  // counted on the host
  // docs/math.md (11.2): the largest r_k of (10.2) at a = 1, b = 0.
  const Tensor r = responsibilities(gmm, Variable(x), t::ones({n}, t::DType::Float64), t::zeros({n}, t::DType::Float64))
                       .data()
                       .contiguous();
  const double* rp = r.data<double>();
  const double* xp = x.data<double>();
  std::vector<int64_t> count(K, 0);
  std::vector<double> sums(K * d, 0.0);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t k = std::max_element(rp + i * K, rp + (i + 1) * K) - (rp + i * K);
    ++count[k];
    for (int64_t j = 0; j < d; ++j) sums[k * d + j] += xp[i * d + j];
  }
  MixtureFit fit;
  const std::vector<double> w = gmm.weights.to_vector<double>();
  const std::vector<double> mu = gmm.means.to_vector<double>();
  std::vector<double> means(K * d, std::numeric_limits<double>::quiet_NaN());
  for (int64_t k = 0; k < K; ++k) {
    const double fraction = static_cast<double>(count[k]) / static_cast<double>(n);
    fit.fractions.push_back(fraction);
    fit.max_weight_error = std::max(fit.max_weight_error, std::abs(fraction - w[k]));
    if (count[k] == 0) continue;
    double dist2 = 0.0;
    for (int64_t j = 0; j < d; ++j) {
      means[k * d + j] = sums[k * d + j] / static_cast<double>(count[k]);
      dist2 += (means[k * d + j] - mu[k * d + j]) * (means[k * d + j] - mu[k * d + j]);
    }
    fit.max_mean_error = std::max(fit.max_mean_error, std::sqrt(dist2));
  }
  fit.means = t::from_vector(means, {K, d}, t::DType::Float64);
  return fit;
}

FeatureStatistics feature_statistics(const Tensor& features) {
  TENSOR_CHECK(features.dim() == 2 && features.size(0) >= 2 && features.size(1) >= 1,
               "[feature_statistics] features must be (N, D) with N >= 2, got {}", t::shape_str(features.shape()));
  const Tensor x = features.to(t::DType::Float64);
  const Tensor mean = t::mean(x, {0});
  const Tensor centered = x - mean;
  const double n = static_cast<double>(x.size(0));
  return {mean, t::matmul(centered.t(), centered) / (n - 1.0)};  // unbiased: divide by N - 1
}

// Note [Frechet distance]: the trace of the matrix square root (docs/math.md
// (11.3)) without a non-symmetric square root. With S1^{1/2} the symmetric
// root of cov1 (from its eigendecomposition), cov1 cov2 = S1^{1/2} M S1^{-1/2}
// for M = S1^{1/2} cov2 S1^{1/2}: the two are similar, so they have the same
// eigenvalues (for a singular cov1 too, by continuity). M is symmetric PSD,
// so its eigenvalues lambda_i are real and >= 0 and
//   Tr (cov1 cov2)^{1/2} = sum_i sqrt(lambda_i),
// where round-off may leave a lambda_i slightly below 0; it counts as 0.
double frechet_distance(const Tensor& mean1, const Tensor& cov1, const Tensor& mean2, const Tensor& cov2) {
  TENSOR_CHECK(mean1.dim() == 1 && mean1.shape() == mean2.shape(),
               "[frechet_distance] means must both be (D), got {} and {}", t::shape_str(mean1.shape()),
               t::shape_str(mean2.shape()));
  const int64_t D = mean1.size(0);
  const t::Shape matrix_shape = {D, D};
  TENSOR_CHECK(cov1.shape() == matrix_shape && cov2.shape() == matrix_shape,
               "[frechet_distance] covariances must both be ({}, {}) like the means, got {} and {}", D, D,
               t::shape_str(cov1.shape()), t::shape_str(cov2.shape()));
  const Tensor mu1 = mean1.to(t::DType::Float64), mu2 = mean2.to(t::DType::Float64);
  const Tensor S1 = cov1.to(t::DType::Float64), S2 = cov2.to(t::DType::Float64);
  const double mean_term = t::sum(t::square(mu1 - mu2)).item();

  // S1^{1/2} = V diag(sqrt(max(0, l))) V^T.
  const SymmetricEigen eig1 = symmetric_eigen(S1);
  const Tensor root_l = t::sqrt(t::clamp(eig1.values, 0.0, std::numeric_limits<double>::infinity()));
  const Tensor S1_half = t::matmul(eig1.vectors * root_l, eig1.vectors.t());
  Tensor M = t::matmul(t::matmul(S1_half, S2), S1_half);
  M = (M + M.t()) * 0.5;  // symmetric in exact arithmetic; make it so in floating point
  double trace_sqrt = 0.0;
  for (double lambda : symmetric_eigen(M).values.to_vector<double>()) trace_sqrt += std::sqrt(std::max(0.0, lambda));

  double trace1 = 0.0, trace2 = 0.0;
  const std::vector<double> s1 = S1.contiguous().to_vector<double>(), s2 = S2.contiguous().to_vector<double>();
  for (int64_t i = 0; i < D; ++i) {
    trace1 += s1[i * D + i];
    trace2 += s2[i * D + i];
  }
  // docs/math.md (11.3). The distance is >= 0; round-off can leave -1e-13 for equal statistics.
  return std::max(0.0, mean_term + trace1 + trace2 - 2.0 * trace_sqrt);
}

double frechet_distance(const FeatureStatistics& a, const FeatureStatistics& b) {
  return frechet_distance(a.mean, a.cov, b.mean, b.cov);
}

}  // namespace diffusion
