// PF-ODE likelihood (MATH.md 5.5-5.7) and dequantized bits/dim (5.8).
// The augmented state (x, Delta) is one flat tensor, x's N*D values then
// the N Deltas, so the generic RK45 of ode.h integrates it unchanged.
#include "diffusion/likelihood.h"

#include <cmath>
#include <numbers>

#include "autograd/functional.h"
#include "autograd/grad_mode.h"
#include "diffusion/probability_flow.h"

namespace diffusion {

std::string divergence_name(Divergence divergence) {
  switch (divergence) {
    case Divergence::Exact: return "exact";
    case Divergence::HutchinsonRademacher: return "hutchinson-rademacher";
    case Divergence::HutchinsonGaussian: return "hutchinson-gaussian";
  }
  return "?";
}

namespace {

// The probe v of (5.7), shape (N, D): N(0, I), or Rademacher as 2 [U >= 1/2] - 1.
Tensor hutchinson_probe(Divergence divergence, int64_t n, int64_t d, tensor::DType dtype, Generator& gen) {
  if (divergence == Divergence::HutchinsonGaussian) return tensor::randn({n, d}, gen, dtype);
  const Tensor u = tensor::rand({n, d}, gen, dtype);
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
                           : hutchinson_probe(options.divergence, n, d, dtype, gen);
  LikelihoodResult result;

  // The augmented drift: y = (x flat, Delta) -> (F(x, t) flat, div F(x, t)).  MATH.md (5.5)
  const OdeFn augmented = [&](const Tensor& y, double t) {
    const Tensor x_t = y.narrow(0, 0, n * d).reshape(x_shape);
    const auto F = [&](const autograd::Variable& xv) { return probability_flow_drift(sde, eps_model, xv, t); };
    Tensor drift;
    Tensor divergence;
    if (options.divergence == Divergence::Exact) {
      // sum_i (e_i^T dF/dx)_i: row i of the Jacobian, then its diagonal entry.  MATH.md (5.6)
      divergence = tensor::zeros({n}, dtype);
      for (int64_t i = 0; i < d; ++i) {
        Tensor e_i = tensor::zeros({n, d}, dtype);
        e_i.narrow(1, i, 1).fill_(1.0);
        auto [F_x, row] = autograd::vjp(F, x_t, e_i.reshape(x_shape));
        divergence = tensor::add(divergence, row.reshape({n, d}).select(1, i));
        drift = F_x;
        result.vjps += 1;
      }
    } else {
      // v^T (dF/dx) v with one vjp, per sample.  MATH.md (5.7)
      auto [F_x, vJ] = autograd::vjp(F, x_t, probe.reshape(x_shape));
      divergence = tensor::sum(tensor::mul(vJ.reshape({n, d}), probe), {1});
      drift = F_x;
      result.vjps += 1;
    }
    return tensor::cat({drift.reshape({n * d}), divergence}, 0);
  };

  const Tensor y0 = tensor::cat({x.contiguous().reshape({n * d}), tensor::zeros({n}, dtype)}, 0);
  const OdeResult solved = rk45_solve(augmented, y0, sde.t_min(), 1.0, options.rk45);
  result.nfe = solved.nfe;
  const Tensor x1 = solved.y.narrow(0, 0, n * d).reshape(x_shape);
  result.delta = solved.y.narrow(0, n * d, n).to(tensor::DType::Float64);
  result.prior_log_p = sde.prior_log_prob(x1);
  // log p_{t_min}(x) = log p_1(x(1)) + Delta(1).  MATH.md (5.5)
  result.log_p = tensor::add(result.prior_log_p, result.delta);
  return result;
}

BitsPerDimResult ode_bits_per_dim(const Sde& sde, const EpsModel& eps_model, const Tensor& x_int, Generator& gen,
                                  const LikelihoodOptions& options) {
  const int64_t n = x_int.size(0);
  const int64_t d = x_int.numel() / n;
  // Uniform dequantization onto [-1, 1).  MATH.md (5.8)
  const Tensor u = tensor::rand(x_int.shape(), gen, x_int.dtype());
  const Tensor y = tensor::add(tensor::mul(tensor::add(x_int, u), 1.0 / 128.0), -1.0);
  const LikelihoodResult lik = ode_log_likelihood(sde, eps_model, y, gen, options);
  // bpd = -log p(y) / (D ln 2) + 7: 7 = log2 128 maps the density to the integer scale.  MATH.md (5.8)
  const Tensor bpd = tensor::add(tensor::mul(lik.log_p, -1.0 / (d * std::numbers::ln2)), 7.0);
  return {bpd, lik.nfe, lik.vjps};
}

}  // namespace diffusion
