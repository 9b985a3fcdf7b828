// The ODE solvers of ode.h on a problem with a closed-form solution (orders
// of Euler and Heun, RK45 accuracy and its NFE bookkeeping), and the
// probability-flow ODE (docs/math.md 5.1-5.4) with the mixture oracle: RK45
// reproduces the mixture, and its NFE falls as the tolerances loosen.
#include <gtest/gtest.h>

#include <cmath>

#include "diffusion/ode.h"
#include "diffusion/probability_flow.h"
#include "sde_mixture.h"

namespace diffusion {
namespace {

// Shapes: y is (3,) for the scalar test problem; x is (n, 2) for the PF-ODE.

using sde_test::kDirections;
using sde_test::kSamples;
using sde_test::kSwdFactor;
using sde_test::kSwdSeed;

// dy/dt = -2 t y, y(0) = y0: y(t) = y0 exp(-t^2). Float64 so the error of
// the method, not rounding, is measured.
const OdeFn gaussian_decay = [](const Tensor& y, double t) { return tensor::mul(y, -2.0 * t); };

Tensor y0() { return tensor::from_vector(std::vector<double>{1.0, -0.5, 2.0}, {3}, tensor::DType::Float64); }

double max_error(const Tensor& y, double t) {
  const Tensor exact = tensor::mul(y0(), std::exp(-t * t));
  return tensor::amax(tensor::abs(tensor::sub(y, exact))).item();
}

TEST(OdeSolver, EulerIsFirstOrderAndHeunSecondOrder) {
  const double e_euler_20 = max_error(euler_solve(gaussian_decay, y0(), 0.0, 1.0, 20).y, 1.0);
  const double e_euler_40 = max_error(euler_solve(gaussian_decay, y0(), 0.0, 1.0, 40).y, 1.0);
  const double e_heun_20 = max_error(heun_solve(gaussian_decay, y0(), 0.0, 1.0, 20).y, 1.0);
  const double e_heun_40 = max_error(heun_solve(gaussian_decay, y0(), 0.0, 1.0, 40).y, 1.0);
  EXPECT_NEAR(e_euler_20 / e_euler_40, 2.0, 0.2);  // halving h halves the error
  EXPECT_NEAR(e_heun_20 / e_heun_40, 4.0, 0.4);    // ... and quarters it
  EXPECT_EQ(heun_solve(gaussian_decay, y0(), 0.0, 1.0, 20).nfe, 40);
  EXPECT_EQ(euler_solve(gaussian_decay, y0(), 0.0, 1.0, 20).nfe, 20);
}

TEST(OdeSolver, Rk45MeetsItsToleranceAndCountsEvaluations) {
  for (double tol : {1e-4, 1e-6, 1e-8}) {
    Rk45Options options;
    options.rtol = options.atol = tol;
    const OdeResult r = rk45_solve(gaussian_decay, y0(), 0.0, 2.0, options);
    // Local error control keeps the global error within a small multiple of the tolerance.
    EXPECT_LT(max_error(r.y, 2.0), 20 * tol) << "tol " << tol;
    // f(y0), the initial-step probe, then 6 per attempted step (FSAL).
    EXPECT_EQ(r.nfe, 2 + 6 * (r.steps + r.rejected)) << "tol " << tol;
    EXPECT_GT(r.steps, 1);
  }
  // Backwards in time (as the PF-ODE sampler runs): from y(2) to y(0.5).
  const Tensor y2 = tensor::mul(y0(), std::exp(-4.0));
  Rk45Options options;
  options.rtol = options.atol = 1e-8;
  options.h0 = 0.1;  // a given first step: no probe evaluation
  const OdeResult back = rk45_solve(gaussian_decay, y2, 2.0, 0.5, options);
  EXPECT_LT(max_error(back.y, 0.5), 1e-6);
  EXPECT_EQ(back.nfe, 1 + 6 * (back.steps + back.rejected));
}

class ProbabilityFlow : public sde_test::SingleThreaded {};

// For VP the drift is -(beta/2)(x - eps/sigma).  docs/math.md (5.3)
TEST_F(ProbabilityFlow, VpDriftIsFormula53) {
  const VpSde vp;
  const EpsModel eps = gmm_eps_model(sde_test::mixture(), vp.kernel());
  const Tensor x = sde_test::data_samples(3, 8).to(tensor::DType::Float64);
  const double t = 0.4;
  const Tensor F = probability_flow_fn(vp, eps)(x, t);
  const Tensor e = eps(Variable(x), vp.labels(8, t)).data();
  const Tensor expected = tensor::mul(tensor::sub(x, tensor::mul(e, 1.0 / vp.sigma(t))), -0.5 * vp.beta(t));
  EXPECT_LT(tensor::amax(tensor::abs(tensor::sub(F, expected))).item(), 1e-12);
}

TEST_F(ProbabilityFlow, Rk45ReproducesTheMixture) {
  const VpSde vp;
  const EpsModel eps = gmm_eps_model(sde_test::mixture(), vp.kernel());
  Generator gen(5);
  const OdeSampleResult r = sample_ode(vp, eps, OdeSolver::Rk45, 0, {kSamples, 2}, gen);
  const MixtureFit fit = mixture_fit(sde_test::mixture(), r.x);
  EXPECT_LT(fit.max_weight_error, 0.02);
  EXPECT_LT(fit.max_mean_error, 0.05);
  const double floor = sde_test::swd_noise_floor_cached();
  const double swd = sliced_wasserstein(r.x, sde_test::data_samples(1), kDirections, kSwdSeed);
  EXPECT_LT(swd, kSwdFactor * floor) << "SWD " << swd << ", floor " << floor;
  // Deterministic given x_1: the same seed gives the same points.
  Generator gen2(5);
  EXPECT_EQ(sample_ode(vp, eps, OdeSolver::Rk45, 0, {kSamples, 2}, gen2).x.to_vector<float>(),
            r.x.to_vector<float>());
}

TEST_F(ProbabilityFlow, Rk45NfeFallsWithLooserTolerances) {
  const VpSde vp;
  const EpsModel eps = gmm_eps_model(sde_test::mixture(), vp.kernel());
  int previous_nfe = 1 << 30;
  for (double tol : {1e-5, 1e-3, 1e-2}) {
    Generator gen(5);
    Rk45Options options;
    options.rtol = options.atol = tol;
    const int nfe = sample_ode(vp, eps, OdeSolver::Rk45, 0, {2000, 2}, gen, options).nfe;
    EXPECT_LT(nfe, previous_nfe) << "tol " << tol;
    previous_nfe = nfe;
  }
}

}  // namespace
}  // namespace diffusion
