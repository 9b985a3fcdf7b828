// The probability-flow drift (docs/math.md 5.1, 5.3) and PF-ODE sampling.
#include "diffusion/probability_flow.h"

#include "autograd/grad_mode.h"
#include "autograd/ops.h"

namespace diffusion {

autograd::Variable probability_flow_drift(const Sde& sde, const EpsModel& eps_model, const autograd::Variable& x,
                                          double t) {
  const double g = sde.g(t);
  // -(1/2) g^2 s = (g^2 / (2 sigma)) eps, since s = -eps / sigma.  docs/math.md (5.1)
  // For VP (g^2 = beta, f = -beta x / 2) this is -(beta/2)(x - eps/sigma).  docs/math.md (5.3)
  const double eps_scale = 0.5 * g * g / sde.sigma(t);
  const autograd::Variable eps = eps_model(x, sde.labels(x.size(0), t));
  return autograd::add(autograd::mul(x, sde.f_scale(t)), autograd::mul(eps, eps_scale));
}

OdeFn probability_flow_fn(const Sde& sde, const EpsModel& eps_model) {
  return [&sde, &eps_model](const Tensor& x, double t) {
    autograd::NoGradGuard no_grad;
    return probability_flow_drift(sde, eps_model, autograd::Variable(x), t).data();
  };
}

std::string ode_solver_name(OdeSolver solver) {
  switch (solver) {
    case OdeSolver::Euler: return "euler";
    case OdeSolver::Heun: return "heun";
    case OdeSolver::Rk45: return "rk45";
  }
  return "?";
}

OdeSampleResult sample_ode(const Sde& sde, const EpsModel& eps_model, OdeSolver solver, int steps,
                           const Shape& shape, Generator& gen, const Rk45Options& rk45) {
  autograd::NoGradGuard no_grad;
  const Tensor x1 = sde.prior_sample(shape, gen);
  const OdeFn F = probability_flow_fn(sde, eps_model);
  OdeResult solved;
  switch (solver) {
    case OdeSolver::Euler: solved = euler_solve(F, x1, 1.0, sde.t_min(), steps); break;
    case OdeSolver::Heun: solved = heun_solve(F, x1, 1.0, sde.t_min(), steps); break;
    case OdeSolver::Rk45: solved = rk45_solve(F, x1, 1.0, sde.t_min(), rk45); break;
  }
  return {solved.y, solved.nfe};
}

}  // namespace diffusion
