// PF-ODE likelihood (docs/math.md 5.5-5.7), dequantized bits/dim (5.8) and the
// DDPM ELBO (2.7-2.9). For the ODE the augmented state (x, Delta) is one
// flat tensor, x's N*D values then the N Deltas, so the generic RK45 of
// ode.h integrates it unchanged.
#include "diffusion/likelihood.h"

#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include "autograd/functional.h"
#include "autograd/grad_mode.h"
#include "diffusion/probability_flow.h"

namespace diffusion {

std::string divergence_name(Divergence divergence) {
  switch (divergence) {
    case Divergence::Exact:
      return "exact";
    case Divergence::HutchinsonRademacher:
      return "hutchinson-rademacher";
    case Divergence::HutchinsonGaussian:
      return "hutchinson-gaussian";
  }
  return "?";
}

namespace {

// The probe v of (5.7), shape (N, D): N(0, I), or Rademacher as 2 [U >= 1/2] - 1.
Tensor hutchinson_probe(Divergence divergence, int64_t n, int64_t d, tensor::DType dtype, tensor::Device device,
                        Generator& gen) {
  if (divergence == Divergence::HutchinsonGaussian) return tensor::randn({n, d}, gen, dtype, device);
  const Tensor u = tensor::rand({n, d}, gen, dtype, device);
  return tensor::add(tensor::mul(tensor::ge(u, tensor::full_like(u, 0.5)), 2.0), -1.0);
}

}  // namespace

LikelihoodResult ode_log_likelihood(const Sde& sde, const EpsModel& eps_model, const Tensor& x, Generator& gen,
                                    const LikelihoodOptions& options) {
  autograd::NoGradGuard no_grad;  // vjp turns recording on for its own forward pass
  const Shape x_shape = x.shape();
  const int64_t n = x.size(0);
  const int64_t d = x.numel() / n;
  const tensor::DType dtype = x.dtype();
  const Tensor probe = options.divergence == Divergence::Exact
                           ? Tensor()
                           : hutchinson_probe(options.divergence, n, d, dtype, x.device(), gen);
  LikelihoodResult result;

  // The augmented drift: y = (x flat, Delta) -> (F(x, t) flat, div F(x, t)).  docs/math.md (5.5)
  const OdeFn augmented = [&](const Tensor& y, double t) {
    const Tensor x_t = y.narrow(0, 0, n * d).reshape(x_shape);
    const auto F = [&](const autograd::Variable& xv) { return probability_flow_drift(sde, eps_model, xv, t); };
    Tensor drift;
    Tensor divergence;
    if (options.divergence == Divergence::Exact) {
      // sum_i (e_i^T dF/dx)_i: row i of the Jacobian, then its diagonal entry.  docs/math.md (5.6)
      // One vjp serves all N samples at once: sample b's output depends only
      // on sample b's input (no batch statistics), so the Jacobian is block diagonal.
      divergence = tensor::zeros({n}, dtype, x.device());
      for (int64_t i = 0; i < d; ++i) {
        Tensor e_i = tensor::zeros({n, d}, dtype, x.device());
        e_i.narrow(1, i, 1).fill_(1.0);
        auto [F_x, row] = autograd::vjp(F, x_t, e_i.reshape(x_shape));
        divergence = tensor::add(divergence, row.reshape({n, d}).select(1, i));
        drift = F_x;
        result.vjps += 1;
      }
    } else {
      // v^T (dF/dx) v with one vjp, per sample.  docs/math.md (5.7)
      auto [F_x, vJ] = autograd::vjp(F, x_t, probe.reshape(x_shape));
      divergence = tensor::sum(tensor::mul(vJ.reshape({n, d}), probe), {1});
      drift = F_x;
      result.vjps += 1;
    }
    return tensor::cat({drift.reshape({n * d}), divergence}, 0);
  };

  const Tensor y0 = tensor::cat({x.contiguous().reshape({n * d}), tensor::zeros({n}, dtype, x.device())}, 0);
  const OdeResult solved = rk45_solve(augmented, y0, sde.t_min(), 1.0, options.rk45);
  result.nfe = solved.nfe;
  const Tensor x1 = solved.y.narrow(0, 0, n * d).reshape(x_shape);
  result.delta = solved.y.narrow(0, n * d, n).to(tensor::DType::Float64);
  result.prior_log_p = sde.prior_log_prob(x1);
  // log p_{t_min}(x) = log p_1(x(1)) + Delta(1).  docs/math.md (5.5)
  result.log_p = tensor::add(result.prior_log_p, result.delta);
  return result;
}

BitsPerDimResult ode_bits_per_dim(const Sde& sde, const EpsModel& eps_model, const Tensor& x_int, Generator& gen,
                                  const LikelihoodOptions& options) {
  const int64_t n = x_int.size(0);
  const int64_t d = x_int.numel() / n;
  // Uniform dequantization onto [-1, 1).  docs/math.md (5.8)
  const Tensor u = tensor::rand_like(x_int, gen);
  const Tensor y = tensor::add(tensor::mul(tensor::add(x_int, u), 1.0 / 128.0), -1.0);
  const LikelihoodResult lik = ode_log_likelihood(sde, eps_model, y, gen, options);
  // bpd = -log p(y) / (D ln 2) + 7: 7 = log2 128 maps the density to the integer scale.  docs/math.md (5.8)
  const Tensor bpd = tensor::add(tensor::mul(lik.log_p, -1.0 / (d * std::numbers::ln2)), 7.0);
  return {bpd, lik.nfe, lik.vjps};
}

// ---- The DDPM ELBO ----

double log_normal_cdf(double z) {
  if (z >= 0) return std::log1p(-0.5 * std::erfc(z / std::numbers::sqrt2));  // 1 - upper tail
  if (z > -20) return std::log(0.5 * std::erfc(-z / std::numbers::sqrt2));
  // Far lower tail, where erfc underflows near z = -38: the asymptotic series
  // Phi(z) = phi(z)/(-z) (1 - 1/z^2 + 3/z^4 - 15/z^6 + ...), here to 1e-9.
  const double z2 = z * z;
  return -0.5 * z2 - std::log(-z) - 0.5 * std::log(2 * std::numbers::pi) +
         std::log1p(-1 / z2 + 3 / (z2 * z2) - 15 / (z2 * z2 * z2));
}

double log_normal_cdf_difference(double lo, double hi) {
  TENSOR_CHECK(lo < hi, "[log_normal_cdf_difference] needs lo < hi, got {} and {}", lo, hi);
  // Both edges in the upper tail: Phi(hi) - Phi(lo) = Phi(-lo) - Phi(-hi) keeps the precision.
  if (lo > 0) return log_normal_cdf_difference(-hi, -lo);
  if (std::isinf(hi)) return log_normal_cdf(-lo);
  const double log_hi = log_normal_cdf(hi);
  if (std::isinf(lo)) return log_hi;
  // log(Phi(hi) - Phi(lo)) = log Phi(hi) + log(1 - e^{log Phi(lo) - log Phi(hi)}).  docs/math.md (2.9)
  return log_hi + std::log(-std::expm1(log_normal_cdf(lo) - log_hi));
}

namespace {

// -log p(x0 | x1) of the discretized Gaussian decoder, per sample: (N, D) -> (N,).  docs/math.md (2.9)
std::vector<double> decoder_nll(const std::vector<double>& x0, const std::vector<double>& mu, double sigma, int64_t n,
                                int64_t d) {
  const double half_bin = 1.0 / 255.0;
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> nll(n, 0.0);
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t i = 0; i < d; ++i) {
      const double x = x0[b * d + i];
      const double m = mu[b * d + i];
      // The edge bins reach to -inf and +inf.
      const double lo = x < -1 + 1e-6 ? -inf : (x - half_bin - m) / sigma;
      const double hi = x > 1 - 1e-6 ? inf : (x + half_bin - m) / sigma;
      nll[b] -= log_normal_cdf_difference(lo, hi);
    }
  }
  return nll;
}

// KL(N(mu1, v1 I) || N(mu2, v2 I)) per sample from ||mu1 - mu2||^2: (N,).  docs/math.md (2.8)
Tensor gaussian_kl(const Tensor& sq_mean_gap, double v1, double v2, int64_t d) {
  const double ratio = v1 / v2;
  return tensor::add(tensor::mul(sq_mean_gap, 1.0 / (2 * v2)), 0.5 * d * (ratio - 1 - std::log(ratio)));
}

}  // namespace

ElboResult ddpm_elbo(const Schedule& schedule, const EpsModel& eps_model, const Tensor& x0_in, Generator& gen,
                     ElboVariance variance) {
  autograd::NoGradGuard no_grad;
  const int64_t T = schedule.T;
  TENSOR_CHECK(T >= 2, "[ddpm_elbo] needs T >= 2, got {}", T);
  const Tensor x0 = x0_in.to(tensor::DType::Float64).contiguous();
  TENSOR_CHECK(tensor::amax(tensor::abs(x0)).item() <= 1.0 + 1e-6,
               "[ddpm_elbo] x0 must lie in [-1, 1] (8-bit data scaled), got values up to {}",
               tensor::amax(tensor::abs(x0)).item());
  const Shape x_shape = x0.shape();
  const int64_t n = x0.size(0);
  const int64_t d = x0.numel() / n;
  const auto& alpha_bar = schedule.alpha_bar;
  const auto sq_norm = [n](const Tensor& v) { return tensor::sum(tensor::square(v.reshape({n, -1})), {1}); };
  // sigma_t^2 of the reverse step.  docs/math.md (2.6)
  const auto sigma2 = [&](int64_t t) {
    return variance == ElboVariance::Beta ? schedule.beta[t] : schedule.beta_tilde[t];
  };
  // x_t ~ q(x_t | x0) and x0_hat = (x_t - b_t eps_theta(x_t, t)) / a_t.  docs/math.md (1.2), section 0
  const auto noised_and_x0_hat = [&](int64_t t) {
    const Tensor eps = tensor::randn(x_shape, gen, tensor::DType::Float64, x0.device());
    const Tensor x_t = tensor::add(tensor::mul(x0, schedule.a(t)), tensor::mul(eps, schedule.b(t)));
    const Tensor label = tensor::full({n}, static_cast<double>(t - 1), tensor::DType::Float32, x0.device());
    const Tensor eps_hat = eps_model(autograd::Variable(x_t), label).data().to(tensor::DType::Float64);
    return tensor::mul(tensor::sub(x_t, tensor::mul(eps_hat, schedule.b(t))), 1.0 / schedule.a(t));
  };

  ElboResult result;
  // L_T = KL(N(a_T x0, b_T^2 I) || N(0, I)).  docs/math.md (2.7), (2.8)
  result.prior_term = gaussian_kl(tensor::mul(sq_norm(x0), alpha_bar[T]), 1 - alpha_bar[T], 1.0, d);
  Tensor total = result.prior_term;
  for (int64_t t = 2; t <= T; ++t) {
    // The model mean is the posterior mean (2.1) with x0 replaced by x0_hat (2.5),
    // so the two means differ by c0 (x0 - x0_hat), c0 = sqrt(alpha_bar_{t-1}) beta_t / (1 - alpha_bar_t).
    const Tensor x0_hat = noised_and_x0_hat(t);
    const double c0 = std::sqrt(alpha_bar[t - 1]) * schedule.beta[t] / (1 - alpha_bar[t]);
    const Tensor gap2 = tensor::mul(sq_norm(tensor::sub(x0, x0_hat)), c0 * c0);
    // L_{t-1} = KL(q(x_{t-1} | x_t, x0) || p_theta(x_{t-1} | x_t)).  docs/math.md (2.7), (2.8)
    total = tensor::add(total, gaussian_kl(gap2, schedule.beta_tilde[t], sigma2(t), d));
    result.nfe += 1;
  }
  // L_0 = -log p(x0 | x1), mean x0_hat(x1), std sigma_1 (beta_tilde_2 for the tilde choice).  docs/math.md (2.9)
  const Tensor mu = noised_and_x0_hat(1);
  result.nfe += 1;
  const double sigma_1 = std::sqrt(variance == ElboVariance::Beta ? schedule.beta[1] : schedule.beta_tilde[2]);
  const std::vector<double> l0 =
      decoder_nll(x0.to_vector<double>(), mu.contiguous().to_vector<double>(), sigma_1, n, d);
  result.decoder_term = tensor::from_vector(l0, {n}, tensor::DType::Float64, x0.device());
  result.nats = tensor::add(total, result.decoder_term);
  // Bits per dimension: nats / (D ln 2).  docs/math.md (2.9)
  result.bpd = tensor::mul(result.nats, 1.0 / (d * std::numbers::ln2));
  return result;
}

}  // namespace diffusion
