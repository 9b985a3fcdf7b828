// The Gaussian-mixture oracle (docs/math.md section 10): for data that is a
// mixture of isotropic Gaussians every quantity a diffusion model learns is
// exact, so samplers and likelihoods can be tested without training.
// Written with autograd ops, so vjp (and exact divergences) work through it.
#pragma once
#include <cstdint>
#include <string>

#include "diffusion/guidance.h"
#include "diffusion/model.h"
#include "tensor/random.h"

namespace diffusion {

// Shapes: N points, K components, d dimensions.
// p_0 = sum_k w_k N(mu_k, s_k^2 I). Stored in float64; used in x's dtype.
struct GaussianMixture {
  Tensor means;    // (K, d)  mu_k
  Tensor stds;     // (K,)    s_k > 0
  Tensor weights;  // (K,)    w_k >= 0, summing to 1

  int64_t K() const { return means.size(0); }
  int64_t d() const { return means.size(1); }
  // Throws unless the shapes agree, stds > 0, weights >= 0 and sum to 1 (within 1e-6).
  void validate() const;
};

// From lists (validated). means: K rows of d values.
GaussianMixture make_gaussian_mixture(const std::vector<std::vector<double>>& means, const std::vector<double>& stds,
                                      const std::vector<double>& weights);
// From JSON text or a file: {"means": [[x, y], ...], "stds": [s, ...], "weights": [w, ...]}.
GaussianMixture parse_gaussian_mixture_json(const std::string& text);
GaussianMixture load_gaussian_mixture_json(const std::string& path);

// Responsibilities r_k(x) of p_t = sum_k w_k N(a mu_k, v_k I), v_k = a^2 s_k^2 + b^2
// (docs/math.md (10.1)-(10.2)), computed in log space. x (N, d); a, b (N,) float64. Returns (N, K).
Variable responsibilities(const GaussianMixture& gmm, const Variable& x, const Tensor& a, const Tensor& b);

// log p_t(x) under the kernel (a, b): docs/math.md (10.1); with a = 1, b = 0 it is (10.7). Returns (N,).
Variable log_density(const GaussianMixture& gmm, const Variable& x, const Tensor& a, const Tensor& b);
// log p_0(x), docs/math.md (10.7). Returns (N,).
Variable log_prob(const GaussianMixture& gmm, const Variable& x);

// The exact noise predictor eps*(x, label) = -b grad log p_t(x) (docs/math.md (10.3)-(10.4)),
// with (a, b) = kernel(label). The returned function holds copies of gmm and kernel.
EpsModel gmm_eps_model(const GaussianMixture& gmm, KernelFn kernel);

// The oracle's class-conditional model (docs/math.md (12.3)): class k is
// component k, so eps(x, t, k) = b (x - a mu_k) / v_k, the eps of one
// Gaussian; with it and gmm_eps_model (the null class) guidance (12.1) is
// exact. k counts from 0. The returned function holds copies.
EpsModel gmm_component_eps_model(const GaussianMixture& gmm, KernelFn kernel, int64_t k);

// The exact noise-aware classifier: log p_t(k | x) = log r_k(x) (docs/math.md
// (10.2)), (N, K), differentiable in x: classifier guidance (12.2) with it
// equals classifier-free guidance with gmm_component_eps_model.
ClassLogProb gmm_class_log_prob(const GaussianMixture& gmm, KernelFn kernel);

// E[x_0 | x_t = x] (docs/math.md (10.5)): (N, d); and Cov(x_0 | x_t = x) (docs/math.md (10.6)): (N, d, d).
Tensor posterior_mean(const GaussianMixture& gmm, const Tensor& x, const Tensor& a, const Tensor& b);
Tensor posterior_cov(const GaussianMixture& gmm, const Tensor& x, const Tensor& a, const Tensor& b);

// N points from the mixture, seeded (same seed, same points). dtype of the points.
// If `component` is given it receives each point's component index (N,) int64.
Tensor sample_mixture(const GaussianMixture& gmm, int64_t N, tensor::Generator& gen,
                      tensor::DType dtype = tensor::DType::Float32, Tensor* component = nullptr);

}  // namespace diffusion
