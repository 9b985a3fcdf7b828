// The probability-flow ODE of an SDE (docs/math.md 5.1-5.3): its drift F(x, t)
// from an eps model, on tensors (for the solvers of ode.h) and on Variables
// (for the divergence in likelihood.h), and deterministic sampling from the
// prior with Euler, Heun or RK45.
#pragma once
#include <string>

#include "diffusion/model.h"
#include "diffusion/ode.h"
#include "diffusion/sde.h"

namespace diffusion {

// Shapes: x is (N, ...), N samples at one common time t.

// F(x, t) = f(x, t) - (1/2) g(t)^2 s(x, t) with s = -eps/sigma(t), i.e.
// F = f_scale(t) x + (g(t)^2 / (2 sigma(t))) eps(x, label(t)).  docs/math.md (5.1), (5.3)
// The Variable form records a graph when grad mode is on (vjp turns it on).
autograd::Variable probability_flow_drift(const Sde& sde, const EpsModel& eps_model, const autograd::Variable& x,
                                          double t);
// The same on tensors, with no graph, as an OdeFn. Holds references: sde and
// eps_model must outlive the returned function.
OdeFn probability_flow_fn(const Sde& sde, const EpsModel& eps_model);

enum class OdeSolver { Euler, Heun, Rk45 };
std::string ode_solver_name(OdeSolver solver);

struct OdeSampleResult {
  Tensor x;
  int nfe = 0;  // model evaluations for the whole batch
};

// x_1 ~ prior, then the PF-ODE from t = 1 to t_min. Euler and Heun take
// `steps` equal steps; RK45 ignores steps and uses rk45's tolerances. Runs
// under NoGradGuard; the only randomness is the prior draw.
OdeSampleResult sample_ode(const Sde& sde, const EpsModel& eps_model, OdeSolver solver, int steps,
                           const Shape& shape, Generator& gen, const Rk45Options& rk45 = {});

}  // namespace diffusion
