// Generic ODE solvers for dy/dt = F(y, t) on tensors: Euler, Heun and the
// adaptive Runge-Kutta 4(5) of Dormand-Prince (docs/math.md 5.4) with rtol/atol
// error control and FSAL. They know nothing of diffusion: the probability-
// flow drift is in probability_flow.h, the likelihood in likelihood.h.
#pragma once
#include <functional>

#include "tensor/tensor.h"

namespace diffusion {

using tensor::Tensor;

// Shapes: y is any tensor; the whole tensor is one ODE state (a batch of
// samples is solved together and shares its steps, as SciPy's solve_ivp does
// for the score-SDE code's flattened batch).

// The right-hand side F(y, t); returns dy/dt, y's shape and dtype.
using OdeFn = std::function<Tensor(const Tensor& y, double t)>;

struct OdeResult {
  Tensor y;           // the state at t1
  int nfe = 0;        // evaluations of F: the cost
  int steps = 0;      // accepted steps
  int rejected = 0;   // rejected steps (RK45 only)
};

// `steps` equal steps from t0 to t1 (t1 < t0 integrates backwards in time).
// Euler: y <- y + h F(y, t). One evaluation per step.
OdeResult euler_solve(const OdeFn& F, const Tensor& y0, double t0, double t1, int steps);
// Heun (trapezoid predictor-corrector): y' = y + h F(y, t),
// y <- y + h/2 (F(y, t) + F(y', t + h)). Two evaluations per step.  docs/math.md section 5, solvers
OdeResult heun_solve(const OdeFn& F, const Tensor& y0, double t0, double t1, int steps);

struct Rk45Options {
  double rtol = 1e-5;  // the score-SDE code's tolerances (docs/math.md section 5)
  double atol = 1e-5;
  double h0 = 0.0;     // first step size; 0 picks one (Hairer's rule, as SciPy; one extra evaluation)
  int max_steps = 100000;
};

// Dormand-Prince RK4(5) with the tableau (5.4): the 5th-order solution is
// kept, the embedded 4th-order one estimates the error,
//   err = RMS((y5 - y4) / (atol + rtol max(|y|, |y_new|))),
// a step is accepted when err <= 1, and the next
//   h = h min(10, max(0.2, 0.9 err^(-1/5))).  docs/math.md (5.4)
// The 7th stage is the next step's 1st (FSAL): 6 evaluations per step.
OdeResult rk45_solve(const OdeFn& F, const Tensor& y0, double t0, double t1, const Rk45Options& options = {});

}  // namespace diffusion
