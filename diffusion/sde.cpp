// VE, VP and sub-VP coefficients (docs/math.md table 4.3), computed in double on
// the host: they are scalars per time, and the samplers apply them to whole
// tensors with one op each.
#include "diffusion/sde.h"

#include <cmath>
#include <numbers>
#include <vector>

#include "autograd/ops.h"

namespace diffusion {

// ---- VE ----

VeSde::VeSde(double sigma_min, double sigma_max, double t_min)
    : sigma_min_(sigma_min), sigma_max_(sigma_max), t_min_(t_min) {
  TENSOR_CHECK(0 < sigma_min && sigma_min < sigma_max, "[VeSde] needs 0 < sigma_min < sigma_max, got {} and {}",
               sigma_min, sigma_max);
}

// sigma(t) = sigma_min (sigma_max / sigma_min)^t.  docs/math.md (4.3a)
double VeSde::sigma(double t) const { return sigma_min_ * std::pow(sigma_max_ / sigma_min_, t); }

// g(t) = sigma(t) sqrt(2 ln(sigma_max / sigma_min)), so that g^2 = d sigma^2 / dt.  docs/math.md (4.3a)
double VeSde::g(double t) const { return sigma(t) * std::sqrt(2.0 * std::log(sigma_max_ / sigma_min_)); }

// Inverts label = sigma(t) = sigma_min (sigma_max / sigma_min)^t.
double VeSde::t_of_label(double label) const {
  return std::log(label / sigma_min_) / std::log(sigma_max_ / sigma_min_);
}

// ---- VP ----

VpSde::VpSde(double beta_min, double beta_max, double t_min) : beta_min_(beta_min), beta_max_(beta_max), t_min_(t_min) {
  TENSOR_CHECK(0 < beta_min && beta_min <= beta_max, "[VpSde] needs 0 < beta_min <= beta_max, got {} and {}", beta_min,
               beta_max);
}

double VpSde::g(double t) const { return std::sqrt(beta(t)); }     // docs/math.md (4.3b)
double VpSde::m(double t) const { return std::exp(-0.5 * B(t)); }  // docs/math.md (4.3b)
// sigma^2 = 1 - e^{-B}; expm1 keeps it accurate at small t, where 1 - e^{-B} cancels.  docs/math.md (4.3b)
double VpSde::sigma(double t) const { return std::sqrt(-std::expm1(-B(t))); }

// ---- sub-VP ----

// g^2 = beta(t) (1 - e^{-2 B(t)}).  docs/math.md (4.3c)
double SubVpSde::g(double t) const { return std::sqrt(beta(t) * -std::expm1(-2.0 * B(t))); }
// sigma^2 = (1 - e^{-B})^2, so sigma = 1 - e^{-B}.  docs/math.md (4.3c)
double SubVpSde::sigma(double t) const { return -std::expm1(-B(t)); }

// ---- shared ----

Tensor Sde::prior_sample(const Shape& shape, Generator& gen, tensor::DType dtype, tensor::Device device) const {
  return tensor::mul(tensor::randn(shape, gen, dtype, device), prior_std());
}

// log N(x; 0, s^2 I) = -(D/2) log(2 pi s^2) - ||x||^2 / (2 s^2), per sample.
Tensor Sde::prior_log_prob(const Tensor& x) const {
  const int64_t n = x.size(0);
  const int64_t d = x.numel() / n;
  const double s2 = prior_std() * prior_std();
  const Tensor sq_norm = tensor::sum(tensor::square(x.to(tensor::DType::Float64).reshape({n, d})), {1});
  return tensor::add(tensor::mul(sq_norm, -0.5 / s2), -0.5 * d * std::log(2.0 * std::numbers::pi * s2));
}

Tensor Sde::labels(int64_t n, double t, tensor::Device device) const {
  return tensor::full({n}, label(t), tensor::DType::Float32, device);
}

KernelFn Sde::kernel() const {
  // Holds a pointer to this SDE, which must outlive the returned function.
  const Sde* sde = this;
  return [sde](const Tensor& label) {
    const std::vector<double> labels = label.to_vector<double>();
    std::vector<double> a(labels.size()), b(labels.size());
    for (size_t i = 0; i < labels.size(); ++i) {
      const double t = sde->t_of_label(labels[i]);
      a[i] = sde->m(t);
      b[i] = sde->sigma(t);
    }
    const Shape shape = {static_cast<int64_t>(labels.size())};
    return std::pair{tensor::from_vector(a, shape, tensor::DType::Float64, label.device()),
                     tensor::from_vector(b, shape, tensor::DType::Float64, label.device())};
  };
}

Tensor Sde::score(const EpsModel& eps_model, const Tensor& x, double t) const {
  const Tensor eps = eps_model(autograd::Variable(x), labels(x.size(0), t, x.device())).data();
  return tensor::mul(eps, -1.0 / sigma(t));
}

autograd::Variable sde_eps_loss(const Sde& sde, const EpsModel& eps_model, const Tensor& x0, Generator& gen) {
  const int64_t n = x0.size(0);
  // t ~ U(t_min, 1) per sample.  docs/math.md (4.5)
  const std::vector<double> u = tensor::rand({n}, gen, tensor::DType::Float64).to_vector<double>();
  std::vector<double> m(n), sigma(n), label(n);
  for (int64_t i = 0; i < n; ++i) {
    const double t = sde.t_min() + u[i] * (1.0 - sde.t_min());
    m[i] = sde.m(t);
    sigma[i] = sde.sigma(t);
    label[i] = sde.label(t);
  }
  // (N,) -> (N, 1, ..., 1) so the coefficients broadcast over one sample's dims.
  Shape coef_shape(x0.dim(), 1);
  coef_shape[0] = n;
  const Tensor m_t = tensor::from_vector(m, coef_shape, x0.dtype(), x0.device());
  const Tensor sigma_t = tensor::from_vector(sigma, coef_shape, x0.dtype(), x0.device());
  const Tensor eps = tensor::randn_like(x0, gen);
  const Tensor x_t = tensor::add(tensor::mul(x0, m_t), tensor::mul(eps, sigma_t));  // docs/math.md (4.3) kernel
  const autograd::Variable eps_hat =
      eps_model(autograd::Variable(x_t), tensor::from_vector(label, {n}, tensor::DType::Float32, x0.device()));
  // lambda(t) = sigma(t)^2 turns the score-matching loss into this eps-MSE.  docs/math.md (4.5)
  return autograd::mean(autograd::square(autograd::sub(autograd::Variable(eps), eps_hat)));
}

}  // namespace diffusion
