// The report behind docs/diffusion.md's SDE/ODE tables: SWD to the data of
// each continuous-time sampler at 10, 50, 1000 steps and of RK45 at three
// tolerances, and the PF-ODE likelihood's cost. Disabled (about a minute,
// asserts nothing): --gtest_also_run_disabled_tests --gtest_filter='SdeReport.*'
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>

#include "diffusion/likelihood.h"
#include "diffusion/predictor_corrector.h"
#include "diffusion/probability_flow.h"
#include "sde_mixture.h"

namespace diffusion {
namespace {

// Shapes: x is (n, 2): n points of the 2-D mixture.

using sde_test::kDirections;
using sde_test::kSamples;
using sde_test::kSwdSeed;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

class SdeReport : public sde_test::SingleThreaded {};

TEST_F(SdeReport, DISABLED_SamplersAndLikelihoodTable) {
  const VpSde vp;
  const GaussianMixture gmm = sde_test::mixture();
  const EpsModel eps = gmm_eps_model(gmm, vp.kernel());
  const Tensor data = sde_test::data_samples(1);
  const Shape shape = {kSamples, 2};
  const double floor = sde_test::swd_noise_floor_cached();
  std::printf("VP SDE, 3-component 2-D mixture, n = %lld, L = %lld; SWD noise floor (two true sets) = %.4f\n",
              static_cast<long long>(kSamples), static_cast<long long>(kDirections), floor);
  std::printf("| sampler | 10 steps | 50 steps | 1000 steps | NFE at 10 / 50 / 1000 |\n|---|---|---|---|---|\n");

  const EulerMaruyamaPredictor em(vp, eps);
  const ReverseDiffusionPredictor rd(vp, eps);
  for (const char* name : {"sde-em", "pc", "ode-euler", "ode-heun"}) {
    std::printf("| %s |", name);
    int nfe[3];
    int column = 0;
    for (int steps : {10, 50, 1000}) {
      Generator gen(5);
      Tensor x;
      const std::string sampler = name;
      if (sampler == "sde-em") {
        const SdeSampleResult r = sample_sde(vp, eps, em, nullptr, steps, shape, gen);
        x = r.x;
        nfe[column] = r.nfe;
      } else if (sampler == "pc") {
        const LangevinCorrector corrector(vp, eps, steps);
        const SdeSampleResult r = sample_sde(vp, eps, rd, &corrector, steps, shape, gen);
        x = r.x;
        nfe[column] = r.nfe;
      } else {
        const OdeSolver solver = sampler == "ode-euler" ? OdeSolver::Euler : OdeSolver::Heun;
        const OdeSampleResult r = sample_ode(vp, eps, solver, steps, shape, gen);
        x = r.x;
        nfe[column] = r.nfe;
      }
      std::printf(" %.4f |", sliced_wasserstein(x, data, kDirections, kSwdSeed));
      ++column;
    }
    std::printf(" %d / %d / %d |\n", nfe[0], nfe[1], nfe[2]);
  }
  std::printf("\n| ode-rk45 rtol = atol | NFE | SWD |\n|---|---|---|\n");
  for (double tol : {1e-2, 1e-3, 1e-5}) {
    Generator gen(5);
    Rk45Options options;
    options.rtol = options.atol = tol;
    const OdeSampleResult r = sample_ode(vp, eps, OdeSolver::Rk45, 0, shape, gen, options);
    std::printf("| %g | %d | %.4f |\n", tol, r.nfe, sliced_wasserstein(r.x, data, kDirections, kSwdSeed));
  }

  // Likelihood cost: one batch of 256 data points, float64, rtol = atol = 1e-5.
  const Tensor x = sde_test::data_samples(2, 256).to(tensor::DType::Float64);
  const double true_nll = -tensor::sum(log_prob(gmm, Variable(x)).data()).item() / 256;
  std::printf("\nPF-ODE likelihood, VP, batch of 256, float64, rtol = atol = 1e-5; true NLL %.4f nats\n", true_nll);
  std::printf("| divergence | NLL (nats) | per-sample RMS vs exact | NFE | vjps | ms per sample |\n");
  std::printf("|---|---|---|---|---|---|\n");
  Tensor exact_log_p;
  for (Divergence div : {Divergence::Exact, Divergence::HutchinsonRademacher, Divergence::HutchinsonGaussian}) {
    Generator gen(3);
    LikelihoodOptions options;
    options.divergence = div;
    const auto start = std::chrono::steady_clock::now();
    const LikelihoodResult r = ode_log_likelihood(vp, eps, x, gen, options);
    const double ms = 1e3 * seconds_since(start) / 256;
    if (div == Divergence::Exact) exact_log_p = r.log_p;
    // One probe per sample: how far a single Hutchinson estimate strays.
    const double rms = std::sqrt(tensor::mean(tensor::square(tensor::sub(r.log_p, exact_log_p))).item());
    std::printf("| %s | %.4f | %.4f | %d | %d | %.3f |\n", divergence_name(div).c_str(),
                -tensor::sum(r.log_p).item() / 256, rms, r.nfe, r.vjps, ms);
  }
}

}  // namespace
}  // namespace diffusion
