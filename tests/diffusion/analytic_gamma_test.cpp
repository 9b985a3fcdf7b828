// Gamma_t (docs/math.md (7.3)) and the residual form (7.3r) estimated by Monte
// Carlo with the exact noise predictor of a single 2-D Gaussian, against the
// closed forms (10.8); the table's file round trip.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "diffusion/analytic/gamma_table.h"
#include "diffusion/oracle.h"
#include "diffusion/schedule.h"
#include "diffusion/timesteps.h"
#include "tensor/ops.h"
#include "tensor/random.h"

using namespace diffusion;
using namespace diffusion::analytic;
namespace t = tensor;

namespace {
// N(mu, s^2 I) in 2-D with s = 0.5, off the origin so eps* is not symmetric.
constexpr double kStd = 0.5;
GaussianMixture one_gaussian() { return make_gaussian_mixture({{1.0, -0.5}}, {kStd}, {1.0}); }
}  // namespace

// For one Gaussian, Gamma_t = b^2 / v and C_t = s^2 b^2 / v with v = a^2 s^2 + b^2
// (10.8). Both estimates are means of M i.i.d. draws, so each must lie within
// 4 of its own standard errors of the exact value (a 6e-5 two-sided chance per
// comparison if the estimator is unbiased), and the standard error itself must
// be small enough for that to mean something (relative 5% for M = 2000).
TEST(AnalyticGamma, SingleGaussianMatchesClosedForm) {
  const GaussianMixture gmm = one_gaussian();
  const Schedule sch = linear_schedule(1000);
  t::Generator gen(7);
  const t::Tensor data = sample_mixture(gmm, 4000, gen, t::DType::Float64);
  const std::vector<int64_t> steps = {1, 10, 50, 100, 250, 500, 750, 1000};
  GammaEstimateOptions options;
  options.samples = 2000;
  options.batch_size = 3000;  // not a multiple of M: batches straddle two t's
  options.seed = 1;
  int64_t last_done = 0, calls = 0;
  options.progress = [&](int64_t done, int64_t total) {
    EXPECT_GT(done, last_done);
    EXPECT_EQ(total, 8 * 2000);
    last_done = done;
    ++calls;
  };
  const GammaTable table = estimate_gamma(gmm_eps_model(gmm, ddpm_kernel(sch)), data, sch, steps, options);
  EXPECT_EQ(last_done, 8 * 2000);
  EXPECT_EQ(calls, 6);  // ceil(16000 / 3000)
  ASSERT_EQ(table.timesteps, steps);
  EXPECT_EQ(table.samples, 2000);
  // Data variance: the sample variance of 4000 points; its relative error is ~sqrt(2/8000) = 1.6%.
  EXPECT_NEAR(table.bounds.data_var, kStd * kStd, 0.08 * kStd * kStd);

  for (size_t i = 0; i < steps.size(); ++i) {
    const int64_t ts = steps[i];
    const double a = sch.a(ts), b = sch.b(ts);
    const double v = a * a * kStd * kStd + b * b;
    const double gamma_exact = b * b / v;             // (10.8)
    const double c_exact = kStd * kStd * b * b / v;   // (10.8)
    const double residual_exact = (1 - gamma_exact);  // c_exact / ((1 - alpha_bar)/alpha_bar)
    EXPECT_NEAR(table.gamma[i], gamma_exact, 4 * table.gamma_stderr[i] + 1e-12) << "t = " << ts;
    EXPECT_NEAR(table.residual[i], residual_exact, 4 * table.residual_stderr[i] + 1e-12) << "t = " << ts;
    EXPECT_LT(table.residual_stderr[i], 0.05 * residual_exact) << "t = " << ts;
    // C_t from the residual form carries the residual's relative error.
    const double c_res = table.c_raw(sch, ts, CEstimate::Residual);
    EXPECT_NEAR(c_res / c_exact, 1.0, 4 * table.residual_stderr[i] / residual_exact) << "t = " << ts;
    // Both C's are clipped by (7.6); the exact one lies below every bound.
    EXPECT_LE(table.c(sch, ts, CEstimate::Gamma), c_upper_bound(sch, ts, table.bounds));
    EXPECT_GE(table.c(sch, ts, CEstimate::Gamma), 0.0);
  }
  EXPECT_THROW(table.c(sch, 2, CEstimate::Residual), t::Error);  // not estimated
}

// Gamma form vs residual form at t = T: the Gamma form multiplies its Monte
// Carlo error by (1 - alpha_bar_T)/alpha_bar_T ~ 2.5e4 (docs/math.md section 7),
// the residual form does not: its relative error stays that of a mean.
TEST(AnalyticGamma, ResidualFormIsTheStableOne) {
  const GaussianMixture gmm = one_gaussian();
  const Schedule sch = linear_schedule(1000);
  t::Generator gen(8);
  const t::Tensor data = sample_mixture(gmm, 500, gen, t::DType::Float64);
  GammaEstimateOptions options;
  options.samples = 500;
  const GammaTable table = estimate_gamma(gmm_eps_model(gmm, ddpm_kernel(sch)), data, sch, {1000}, options);
  const double factor = (1 - sch.alpha_bar[1000]) / sch.alpha_bar[1000];
  const double c_gamma_stderr = factor * table.gamma_stderr[0];
  const double c_res_stderr = factor * table.residual_stderr[0];
  const double c_exact =
      kStd * kStd * sch.b(1000) * sch.b(1000) / (sch.alpha_bar[1000] * kStd * kStd + 1 - sch.alpha_bar[1000]);
  EXPECT_GT(c_gamma_stderr, 10 * c_exact);  // the Gamma form's noise swamps C_T
  EXPECT_LT(c_res_stderr, 0.1 * c_exact);   // the residual form resolves it
}

TEST(AnalyticGamma, SaveLoadRoundTrip) {
  const GaussianMixture gmm = one_gaussian();
  const Schedule sch = cosine_schedule(100);
  t::Generator gen(9);
  const t::Tensor data = sample_mixture(gmm, 300, gen);
  GammaEstimateOptions options;
  options.samples = 100;
  options.range = std::make_pair(-1.0, 1.0);
  const GammaTable table =
      estimate_gamma(gmm_eps_model(gmm, ddpm_kernel(sch)), data, sch, even_timesteps(100, 10), options);
  const std::string path = (std::filesystem::temp_directory_path() / "analytic_gamma_roundtrip.safetensors").string();
  save_gamma_table(table, path);
  const GammaTable back = load_gamma_table(path);
  std::remove(path.c_str());
  EXPECT_EQ(back.T, 100);
  EXPECT_EQ(back.samples, 100);
  EXPECT_EQ(back.timesteps, table.timesteps);
  EXPECT_EQ(back.gamma, table.gamma);
  EXPECT_EQ(back.residual, table.residual);
  EXPECT_EQ(back.gamma_stderr, table.gamma_stderr);
  EXPECT_EQ(back.residual_stderr, table.residual_stderr);
  EXPECT_EQ(back.bounds.data_var, table.bounds.data_var);
  ASSERT_TRUE(back.bounds.range.has_value());
  EXPECT_EQ(back.bounds.range->second, 1.0);
  EXPECT_EQ(parse_c_estimate("gamma"), CEstimate::Gamma);
  EXPECT_THROW(parse_c_estimate("exact"), t::Error);
}

// The two clips of C_t: (7.6) into [0, smallest bound], or only at 0 for the
// residual of an imperfect model (Note [Clipping the residual estimate]).
TEST(AnalyticGamma, ClipRules) {
  const Schedule sch = linear_schedule(1000);
  GammaTable table;
  table.T = 1000;
  table.timesteps = {10, 1000};
  table.gamma = {1.2, 0.5};      // Gamma_10 > 1: a noisy estimate gives C < 0
  table.residual = {0.01, 0.5};  // at t = T: C = 0.5 (1 - alpha_bar)/alpha_bar ~ 1.2e4
  table.bounds.data_var = 2.0;
  EXPECT_EQ(table.c(sch, 10, CEstimate::Gamma), 0.0);
  EXPECT_EQ(table.c(sch, 10, CEstimate::Gamma, CClip::NonNegative), 0.0);
  EXPECT_EQ(table.c(sch, 1000, CEstimate::Residual), 2.0);
  const double raw = 0.5 * (1 - sch.alpha_bar[1000]) / sch.alpha_bar[1000];
  EXPECT_NEAR(table.c(sch, 1000, CEstimate::Residual, CClip::NonNegative), raw, 1e-9 * raw);
  EXPECT_NEAR(table.c(sch, 10, CEstimate::Residual), 0.01 * (1 - sch.alpha_bar[10]) / sch.alpha_bar[10], 1e-15);
}
