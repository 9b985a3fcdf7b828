// Sample metrics (MATH.md section 11). Sorting is done on plain vectors: the
// tensor layer has no sort, and a metric needs no gradient.
#include "diffusion/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "autograd/grad_mode.h"
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
  const Tensor px = t::matmul(X.to(t::DType::Float64), u.t()).t().contiguous();  // (L, n)
  const Tensor py = t::matmul(Y.to(t::DType::Float64), u.t()).t().contiguous();
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
  return total / static_cast<double>(L);  // MATH.md (11.1)
}

MixtureFit mixture_fit(const GaussianMixture& gmm, const Tensor& samples) {
  gmm.validate();
  TENSOR_CHECK(samples.dim() == 2 && samples.size(1) == gmm.d(), "[mixture_fit] samples must be (n, {}), got {}",
               gmm.d(), t::shape_str(samples.shape()));
  autograd::NoGradGuard no_grad;
  const int64_t n = samples.size(0);
  const int64_t K = gmm.K();
  const int64_t d = gmm.d();
  const Tensor x = samples.to(t::DType::Float64).contiguous();
  // MATH.md (11.2): the largest r_k of (10.2) at a = 1, b = 0.
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

}  // namespace diffusion
