// The Gaussian-mixture oracle (docs/math.md section 10). Every function starts
// from the same three quantities per point and component: the offset
// x - a mu_k, the variance v_k and the log-weight of (10.2); they are
// computed once, in `mixture_terms`, with autograd ops.
#include "diffusion/oracle.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numbers>
#include <sstream>

#include "autograd/ops.h"
#include "diffusion/prediction.h"

namespace diffusion {

namespace t = tensor;
namespace ag = autograd;

// Shapes: N points, K components, d dimensions.

void GaussianMixture::validate() const {
  TENSOR_CHECK(means.defined() && stds.defined() && weights.defined(),
               "[GaussianMixture] means, stds and weights must all be set");
  TENSOR_CHECK(means.dim() == 2 && means.size(0) >= 1 && means.size(1) >= 1,
               "[GaussianMixture] means must be (K, d) with K, d >= 1, got {}", t::shape_str(means.shape()));
  const int64_t k = means.size(0);
  TENSOR_CHECK(stds.dim() == 1 && stds.size(0) == k, "[GaussianMixture] stds must be ({},) to match means {}, got {}",
               k, t::shape_str(means.shape()), t::shape_str(stds.shape()));
  TENSOR_CHECK(weights.dim() == 1 && weights.size(0) == k,
               "[GaussianMixture] weights must be ({},) to match means {}, got {}", k, t::shape_str(means.shape()),
               t::shape_str(weights.shape()));
  double total = 0.0;
  const std::vector<double> w = weights.to_vector<double>();
  const std::vector<double> s = stds.to_vector<double>();
  for (int64_t i = 0; i < k; ++i) {
    TENSOR_CHECK(s[i] > 0.0 && std::isfinite(s[i]), "[GaussianMixture] stds must be > 0, component {} has {}", i, s[i]);
    TENSOR_CHECK(w[i] >= 0.0, "[GaussianMixture] weights must be >= 0, component {} has {}", i, w[i]);
    total += w[i];
  }
  TENSOR_CHECK(std::abs(total - 1.0) < 1e-6, "[GaussianMixture] weights must sum to 1, they sum to {}", total);
  for (double m : means.to_vector<double>())  // JSON's 1e400 reads as infinity
    TENSOR_CHECK(std::isfinite(m), "[GaussianMixture] means must be finite, got {}", m);
}

GaussianMixture make_gaussian_mixture(const std::vector<std::vector<double>>& means, const std::vector<double>& stds,
                                      const std::vector<double>& weights) {
  TENSOR_CHECK(!means.empty() && !means[0].empty(),
               "[make_gaussian_mixture] needs at least one mean of dimension >= 1");
  const auto k = static_cast<int64_t>(means.size());
  const auto d = static_cast<int64_t>(means[0].size());
  std::vector<double> flat;
  for (int64_t i = 0; i < k; ++i) {
    TENSOR_CHECK(static_cast<int64_t>(means[i].size()) == d,
                 "[make_gaussian_mixture] mean {} has {} values, mean 0 has {}", i, means[i].size(), d);
    flat.insert(flat.end(), means[i].begin(), means[i].end());
  }
  GaussianMixture gmm{t::from_vector(flat, {k, d}, t::DType::Float64),
                      t::from_vector(stds, {static_cast<int64_t>(stds.size())}, t::DType::Float64),
                      t::from_vector(weights, {static_cast<int64_t>(weights.size())}, t::DType::Float64)};
  gmm.validate();
  return gmm;
}

GaussianMixture parse_gaussian_mixture_json(const std::string& text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw t::Error(fmt::format("[gaussian_mixture_json] not valid JSON: {}", e.what()));
  }
  for (const char* key : {"means", "stds", "weights"}) {
    TENSOR_CHECK(j.is_object() && j.contains(key), "[gaussian_mixture_json] missing key \"{}\"", key);
  }
  try {
    auto means = j.at("means").get<std::vector<std::vector<double>>>();
    auto stds = j.at("stds").get<std::vector<double>>();
    auto weights = j.at("weights").get<std::vector<double>>();
    return make_gaussian_mixture(means, stds, weights);
  } catch (const nlohmann::json::exception& e) {
    throw t::Error(fmt::format(
        "[gaussian_mixture_json] expected numbers: means [[x, y], ...], stds [s, ...], weights [w, ...]: {}",
        e.what()));
  }
}

GaussianMixture load_gaussian_mixture_json(const std::string& path) {
  std::ifstream in(path);
  TENSOR_CHECK(in.good(), "[load_gaussian_mixture_json] cannot open '{}'", path);
  std::stringstream text;
  text << in.rdbuf();
  return parse_gaussian_mixture_json(text.str());
}

namespace {

// The per-component pieces of (10.1)-(10.2) for x (N, d) under the kernel (a, b).
struct MixtureTerms {
  Variable offset;  // (N, K, d)  x - a mu_k
  Tensor v;         // (N, K)     v_k = a^2 s_k^2 + b^2
  Variable logits;  // (N, K)     log w_k - (d/2) log v_k - ||x - a mu_k||^2 / (2 v_k)
};

MixtureTerms mixture_terms(const GaussianMixture& gmm, const Variable& x, const Tensor& a, const Tensor& b) {
  TENSOR_CHECK(x.dim() == 2 && x.size(1) == gmm.d(), "[gaussian_mixture] x must be (N, {}), got {}", gmm.d(),
               t::shape_str(x.shape()));
  TENSOR_CHECK(a.dim() == 1 && b.dim() == 1 && a.size(0) == x.size(0) && b.size(0) == x.size(0),
               "[gaussian_mixture] a and b must be (N,) = ({},), got {} and {}", x.size(0), t::shape_str(a.shape()),
               t::shape_str(b.shape()));
  const t::DType dtype = x.dtype();
  const Tensor a_n = per_sample(a, 2, dtype);                    // (N, 1)
  const Tensor b_n = per_sample(b, 2, dtype);                    // (N, 1)
  const Tensor means = gmm.means.to(dtype).unsqueeze(0);         // (1, K, d)
  const Tensor s2 = t::square(gmm.stds.to(dtype)).unsqueeze(0);  // (1, K)
  const Tensor log_w = t::log(gmm.weights.to(dtype)).unsqueeze(0);
  const double d = static_cast<double>(gmm.d());

  MixtureTerms terms;
  terms.v = t::square(a_n) * s2 + t::square(b_n);  // docs/math.md (10.1)
  const Tensor a_mu = a_n.unsqueeze(2) * means;    // (N, K, d)
  terms.offset = ag::unsqueeze(x, 1) - Variable(a_mu);
  const Variable sq_dist = ag::sum(ag::square(terms.offset), {2});  // (N, K)
  // docs/math.md (10.2), before the softmax
  terms.logits = Variable(log_w - (d / 2.0) * t::log(terms.v)) - sq_dist / Variable(2.0 * terms.v);
  return terms;
}

}  // namespace

Variable responsibilities(const GaussianMixture& gmm, const Variable& x, const Tensor& a, const Tensor& b) {
  return ag::softmax(mixture_terms(gmm, x, a, b).logits, 1);  // docs/math.md (10.2); softmax subtracts the max
}

Variable log_density(const GaussianMixture& gmm, const Variable& x, const Tensor& a, const Tensor& b) {
  const MixtureTerms terms = mixture_terms(gmm, x, a, b);
  // docs/math.md (10.1): log w_k + log N(x; a mu_k, v_k I) = logits_k - (d/2) log(2 pi)
  const double log_2pi_half_d = 0.5 * static_cast<double>(gmm.d()) * std::log(2.0 * std::numbers::pi);
  return ag::logsumexp(terms.logits, {1}) - log_2pi_half_d;
}

Variable log_prob(const GaussianMixture& gmm, const Variable& x) {
  const int64_t n = x.size(0);
  // docs/math.md (10.7) is (10.1) at a = 1, b = 0.
  return log_density(gmm, x, t::ones({n}, t::DType::Float64), t::zeros({n}, t::DType::Float64));
}

EpsModel gmm_eps_model(const GaussianMixture& gmm, KernelFn kernel) {
  gmm.validate();
  return [gmm, kernel = std::move(kernel)](const Variable& x, const Tensor& label) {
    auto [a, b] = kernel(label);
    const MixtureTerms terms = mixture_terms(gmm, x, a, b);
    const Variable r = ag::softmax(terms.logits, 1);  // docs/math.md (10.2)
    // docs/math.md (10.3): grad log p_t(x) = -sum_k r_k (x - a mu_k) / v_k
    const Variable weighted = ag::unsqueeze(r / Variable(terms.v), 2) * terms.offset;  // (N, K, d)
    const Variable score = -ag::sum(weighted, {1});                                    // (N, d)
    return Variable(-per_sample(b, 2, x.dtype())) * score;                             // docs/math.md (10.4)
  };
}

EpsModel gmm_component_eps_model(const GaussianMixture& gmm, KernelFn kernel, int64_t k) {
  gmm.validate();
  TENSOR_CHECK(k >= 0 && k < gmm.K(),
               "[gmm_component_eps_model] class {} is not a component of the {}-component mixture", k, gmm.K());
  return [gmm, kernel = std::move(kernel), k](const Variable& x, const Tensor& label) {
    auto [a, b] = kernel(label);
    const MixtureTerms terms = mixture_terms(gmm, x, a, b);
    // docs/math.md (12.3) with Sigma_k = s_k^2 I: eps = b (x - a mu_k) / v_k
    const Variable offset = ag::select(terms.offset, 1, k);  // (N, d)
    const Tensor v = terms.v.narrow(1, k, 1);                // (N, 1)
    return Variable(per_sample(b, 2, x.dtype())) * offset / Variable(v);
  };
}

ClassLogProb gmm_class_log_prob(const GaussianMixture& gmm, KernelFn kernel) {
  gmm.validate();
  return [gmm, kernel = std::move(kernel)](const Variable& x, const Tensor& label) {
    auto [a, b] = kernel(label);
    return ag::log_softmax(mixture_terms(gmm, x, a, b).logits, 1);  // log r_k, docs/math.md (10.2)
  };
}

Tensor posterior_mean(const GaussianMixture& gmm, const Tensor& x, const Tensor& a, const Tensor& b) {
  const MixtureTerms terms = mixture_terms(gmm, Variable(x), a, b);
  const Tensor r = t::softmax(terms.logits.data(), 1);  // (N, K)
  const Tensor a_n = per_sample(a, 3, x.dtype());       // (N, 1, 1)
  const Tensor s2 = t::square(gmm.stds.to(x.dtype())).reshape({1, gmm.K(), 1});
  // docs/math.md (10.5): m_k = mu_k + (a s_k^2 / v_k)(x - a mu_k), E[x_0 | x] = sum_k r_k m_k
  const Tensor m = gmm.means.to(x.dtype()).unsqueeze(0) + a_n * s2 / terms.v.unsqueeze(2) * terms.offset.data();
  return t::sum(r.unsqueeze(2) * m, {1});
}

Tensor posterior_cov(const GaussianMixture& gmm, const Tensor& x, const Tensor& a, const Tensor& b) {
  const MixtureTerms terms = mixture_terms(gmm, Variable(x), a, b);
  const int64_t d = gmm.d();
  const Tensor r = t::softmax(terms.logits.data(), 1);  // (N, K)
  const Tensor a_n = per_sample(a, 3, x.dtype());
  const Tensor b_n = per_sample(b, 2, x.dtype());
  const Tensor s2 = t::square(gmm.stds.to(x.dtype()));
  const Tensor m = gmm.means.to(x.dtype()).unsqueeze(0) +
                   a_n * s2.reshape({1, gmm.K(), 1}) / terms.v.unsqueeze(2) * terms.offset.data();  // (10.5)
  const Tensor c = s2.unsqueeze(0) * t::square(b_n) / terms.v;                                      // (N, K), (10.6)
  const Tensor eye = t::from_vector(
      [&] {
        std::vector<double> e(d * d, 0.0);
        for (int64_t i = 0; i < d; ++i) e[i * d + i] = 1.0;
        return e;
      }(),
      {1, 1, d, d}, x.dtype(), x.device());
  // docs/math.md (10.6): sum_k r_k (c_k I + m_k m_k^T) - E E^T
  const Tensor second = c.unsqueeze(2).unsqueeze(3) * eye + m.unsqueeze(3) * m.unsqueeze(2);  // (N, K, d, d)
  const Tensor mean = t::sum(r.unsqueeze(2) * m, {1});                                        // (N, d)
  return t::sum(r.unsqueeze(2).unsqueeze(3) * second, {1}) - mean.unsqueeze(2) * mean.unsqueeze(1);
}

Tensor sample_mixture(const GaussianMixture& gmm, int64_t N, t::Generator& gen, t::DType dtype, Tensor* component) {
  gmm.validate();
  TENSOR_CHECK(N >= 0, "[sample_mixture] N must be >= 0, got {}", N);
  // The component of each point: invert the cumulative weights at a uniform draw.
  const std::vector<double> u = t::rand({N}, gen, t::DType::Float64).to_vector<double>();
  const std::vector<double> w = gmm.weights.to_vector<double>();
  std::vector<int64_t> k_of(N);
  for (int64_t i = 0; i < N; ++i) {
    double cumulative = 0.0;
    int64_t k = 0;
    while (k < gmm.K() - 1 && u[i] >= cumulative + w[k]) cumulative += w[k++];
    k_of[i] = k;
  }
  const Tensor index = t::from_vector(k_of, {N});
  const Tensor z = t::randn({N, gmm.d()}, gen, t::DType::Float64);
  const Tensor mu = t::index_select(gmm.means, 0, index);             // (N, d)
  const Tensor s = t::index_select(gmm.stds, 0, index).unsqueeze(1);  // (N, 1)
  if (component) *component = index;
  return (mu + s * z).to(dtype);
}

}  // namespace diffusion
