// Reference solutions of the probability-flow ODE on the oracle: RK45 in
// log sigma for any mixture, the closed form for one Gaussian. Note [One map
// for every ODE sampler] (flow_reference.h) says why one map serves all.
#include "diffusion/flow_reference.h"

#include <cmath>

#include "autograd/grad_mode.h"
#include "diffusion/edm.h"
#include "diffusion/ode.h"
#include "tensor/ops.h"

namespace diffusion {

namespace {

// eps*(a x, sigma) of the oracle at any noise level: (a, b) = (1, sigma) / sqrt(1 + sigma^2).
Tensor eps_at_sigma(const GaussianMixture& gmm, const Tensor& x, double sigma) {
  const double a = 1.0 / std::sqrt(1.0 + sigma * sigma);
  const EpsModel eps = gmm_eps_model(gmm, [a, sigma](const Tensor& label) {
    const auto n = label.size(0);
    return std::make_pair(tensor::full({n}, a, tensor::DType::Float64),
                          tensor::full({n}, sigma * a, tensor::DType::Float64));
  });
  return eps(Variable(a * x), tensor::full({x.size(0)}, 0.0)).data();
}

}  // namespace

Tensor oracle_flow_map(const GaussianMixture& gmm, const Schedule& schedule, const Tensor& x_T, double tol) {
  autograd::NoGradGuard no_grad;
  const double sigma_1 = vp_sigma(schedule, 1);
  const double sigma_T = vp_sigma(schedule, schedule.T);
  // dx/du = sigma dx/dsigma = x - D(x; sigma) = sigma eps(a x, sigma)  (docs/math.md (12.8) with D = x - sigma eps)
  const OdeFn F = [&gmm](const Tensor& x, double u) { return std::exp(u) * eps_at_sigma(gmm, x, std::exp(u)); };
  const OdeResult r =
      rk45_solve(F, x_T / schedule.a(schedule.T), std::log(sigma_T), std::log(sigma_1), Rk45Options{tol, tol});
  return r.y - sigma_1 * eps_at_sigma(gmm, r.y, sigma_1);  // x0_hat at t = 1
}

Tensor single_gaussian_flow_map(const GaussianMixture& gmm, const Schedule& schedule, const Tensor& x_T) {
  TENSOR_CHECK(gmm.K() == 1, "[single_gaussian_flow_map] needs one component, got {}", gmm.K());
  TENSOR_CHECK(x_T.dim() == 2 && x_T.size(1) == gmm.d(), "[single_gaussian_flow_map] x_T must be (N, {}), got {}",
               gmm.d(), tensor::shape_str(x_T.shape()));
  const double s2 = std::pow(gmm.stds.to_vector<double>()[0], 2);
  const double sigma_1 = vp_sigma(schedule, 1);
  const double sigma_T = vp_sigma(schedule, schedule.T);
  const Tensor mu = gmm.means.to(x_T.dtype());  // (1, d), broadcasts over the N rows
  const Tensor x_1 =
      mu + (x_T / schedule.a(schedule.T) - mu) * std::sqrt((s2 + sigma_1 * sigma_1) / (s2 + sigma_T * sigma_T));
  return mu + (s2 / (s2 + sigma_1 * sigma_1)) * (x_1 - mu);
}

}  // namespace diffusion
