// The score SDEs of docs/math.md section 4, t in [0, 1]: VE, VP and sub-VP (table
// 4.3a-c), each a drift f, diffusion g, kernel (m(t), sigma(t)) and prior;
// the label a network sees and the eps loss (4.5) a trainer calls. No
// solvers: those are in reverse_sde.h, predictor_corrector.h, probability_flow.h.
#pragma once
#include <memory>
#include <string>

#include "autograd/variable.h"
#include "diffusion/model.h"
#include "tensor/random.h"

namespace diffusion {

// Shapes: N batch; x is (N, ...) with D values per sample (2 for points,
// C*H*W for images).

using tensor::Generator;
using tensor::Shape;
using tensor::Tensor;

// Note [SDE labels]: a network is conditioned on a float "label", not on t.
// VP and sub-VP feed 999 t, so a DDPM network trained on the linear
// schedule with T = 1000 can be used as a VP model (docs/math.md 4.4). VE feeds
// sigma(t) itself, the noise-conditional convention of NCSN: the label is
// then the kernel's noise std, and an oracle reads b = label, a = 1.
// t_of_label inverts label(t); kernel() uses it to build the KernelFn that
// turns the Gaussian-mixture oracle (docs/math.md section 10) into this SDE's
// exact eps*.
class Sde {
 public:
  virtual ~Sde() = default;
  virtual std::string name() const = 0;

  // All three drifts are linear in x: f(x, t) = f_scale(t) x.
  virtual double f_scale(double t) const = 0;  // docs/math.md (4.3)
  virtual double g(double t) const = 0;        // docs/math.md (4.3)
  virtual double m(double t) const = 0;        // kernel mean scale, docs/math.md (4.3)
  virtual double sigma(double t) const = 0;    // kernel std, docs/math.md (4.3)
  // The std of the prior p_1 = N(0, prior_std^2 I) the samplers start from.
  virtual double prior_std() const = 0;
  // The smallest time the samplers and the loss use (docs/math.md 4.5).
  virtual double t_min() const = 0;
  // Note [SDE labels].
  virtual double label(double t) const = 0;
  virtual double t_of_label(double label) const = 0;

  // f(x, t) on a tensor.
  Tensor f(const Tensor& x, double t) const { return tensor::mul(x, f_scale(t)); }
  // x ~ N(0, prior_std^2 I), shape (N, ...), on `device`.
  Tensor prior_sample(const Shape& shape, Generator& gen, tensor::DType dtype = tensor::DType::Float32,
                      tensor::Device device = tensor::Device::CPU) const;
  // log N(x; 0, prior_std^2 I) per sample: (N, ...) -> (N,), float64.
  Tensor prior_log_prob(const Tensor& x) const;
  // The labels (N,) the model sees at time t, float32, on `device`.
  Tensor labels(int64_t n, double t, tensor::Device device = tensor::Device::CPU) const;
  // label -> (m(t), sigma(t)), each shaped like label: the SDE's kernel for the
  // oracle. The function holds a pointer to this SDE, which must outlive it.
  KernelFn kernel() const;

  // The score from an eps model: s(x, t) = -eps(x, label(t)) / sigma(t) (docs/math.md section 4).
  Tensor score(const EpsModel& eps_model, const Tensor& x, double t) const;
};

// VE: f = 0, g = sigma_min (sigma_max/sigma_min)^t sqrt(2 ln(sigma_max/sigma_min)).  docs/math.md (4.3a)
class VeSde : public Sde {
 public:
  explicit VeSde(double sigma_min = 0.01, double sigma_max = 50.0, double t_min = 1e-5);
  std::string name() const override { return "ve"; }
  double f_scale(double t) const override { return 0.0; }
  double g(double t) const override;
  double m(double t) const override { return 1.0; }
  double sigma(double t) const override;
  double prior_std() const override { return sigma_max_; }
  double t_min() const override { return t_min_; }
  double label(double t) const override { return sigma(t); }
  double t_of_label(double label) const override;

 private:
  double sigma_min_, sigma_max_, t_min_;
};

// VP: f = -beta(t) x / 2, g = sqrt(beta(t)); the continuous DDPM.  docs/math.md (4.3b)
class VpSde : public Sde {
 public:
  explicit VpSde(double beta_min = 0.1, double beta_max = 20.0, double t_min = 1e-3);
  std::string name() const override { return "vp"; }
  double f_scale(double t) const override { return -0.5 * beta(t); }
  double g(double t) const override;
  double m(double t) const override;
  double sigma(double t) const override;
  double prior_std() const override { return 1.0; }
  double t_min() const override { return t_min_; }
  double label(double t) const override { return 999.0 * t; }  // docs/math.md (4.4)
  double t_of_label(double label) const override { return label / 999.0; }

  double beta(double t) const { return beta_min_ + t * (beta_max_ - beta_min_); }
  // B(t) = integral of beta from 0 to t.
  double B(double t) const { return beta_min_ * t + 0.5 * t * t * (beta_max_ - beta_min_); }

 protected:
  double beta_min_, beta_max_, t_min_;
};

// sub-VP: the VP drift with a smaller diffusion, so sigma(t)^2 <= the VP's.  docs/math.md (4.3c)
class SubVpSde : public VpSde {
 public:
  explicit SubVpSde(double beta_min = 0.1, double beta_max = 20.0, double t_min = 1e-3)
      : VpSde(beta_min, beta_max, t_min) {}
  std::string name() const override { return "subvp"; }
  double g(double t) const override;
  double sigma(double t) const override;
};

// The eps loss (4.5), i.e. denoising score matching weighted by lambda(t) =
// sigma(t)^2: t ~ U(t_min, 1) per sample, eps ~ N(0, I),
// mean over N and D of (eps - eps_model(m x0 + sigma eps, label(t)))^2.
// x0: (N, ...). Returns a scalar Variable to call backward() on.
autograd::Variable sde_eps_loss(const Sde& sde, const EpsModel& eps_model, const Tensor& x0, Generator& gen);

}  // namespace diffusion
