// The K-step ELBO (docs/math.md (9.1)) on the Gaussian-mixture oracle: the
// optimal variance (7.4) beats beta and beta_tilde at every K, the DP
// trajectory (9.3) beats even spacing, and the decoder terms are normalized.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "autograd/variable.h"
#include "diffusion/analytic/gamma_table.h"
#include "diffusion/analytic/gaussian_terms.h"
#include "diffusion/analytic/kstep_elbo.h"
#include "diffusion/analytic/trajectory.h"
#include "diffusion/likelihood.h"
#include "diffusion/oracle.h"
#include "diffusion/schedule.h"
#include "diffusion/timesteps.h"
#include "tensor/ops.h"
#include "tensor/random.h"

using namespace diffusion;
using namespace diffusion::analytic;
namespace t = tensor;

namespace {

// Three components, between a point mass (beta_tilde's optimum) and N(0, I)
// (beta's): neither textbook variance is right, so the optimal one must win.
GaussianMixture mixture() {
  return make_gaussian_mixture({{-1.0, -0.5}, {1.0, -0.5}, {0.0, 1.0}}, {0.15, 0.25, 0.2}, {0.5, 0.3, 0.2});
}

// One Gamma table on every t (the DP needs all of them), shared by the tests.
struct Fixture {
  Schedule sch = linear_schedule(1000);
  GaussianMixture gmm = mixture();
  EpsModel model = gmm_eps_model(gmm, ddpm_kernel(sch));
  t::Tensor train;  // the points Gamma is estimated on
  t::Tensor test;   // the points the ELBO is measured on
  GammaTable table;
  Fixture() {
    t::Generator gen(21);
    train = sample_mixture(gmm, 2000, gen, t::DType::Float64);
    test = sample_mixture(gmm, 1000, gen, t::DType::Float64);
    GammaEstimateOptions options;
    options.samples = 200;
    options.batch_size = 10000;
    options.seed = 5;
    table = estimate_gamma(model, train, sch, {}, options);
  }
};
const Fixture& fixture() {
  static const Fixture f;
  return f;
}

// The standard error of mean(a - b) over points: the paired comparison
// (all variance choices see the same eps, same seed).
double paired_stderr(const t::Tensor& a, const t::Tensor& b) {
  const t::Tensor diff = a - b;
  return std::sqrt(t::var(diff).item() / static_cast<double>(diff.numel()));
}

KStepElbo elbo(const std::vector<int64_t>& traj, VarianceChoice variance) {
  const Fixture& f = fixture();
  KStepElboOptions options;
  options.variance = variance;
  options.table = &f.table;
  options.seed = 99;
  return kstep_elbo(f.model, f.test, f.sch, traj, options);
}

}  // namespace

// docs/math.md section 9: with the exact eps and the optimal variance the ELBO is
// lower (better) than with beta and with beta_tilde at K = 10, 25, 100. Each
// margin must exceed 3 paired standard errors, so a tie or a noisy win fails.
// And every ELBO bounds the true NLL (10.7) from above (within 3 standard errors).
TEST(AnalyticElbo, OptimalVarianceBeatsBetaAndBetaTilde) {
  const Fixture& f = fixture();
  const double true_nll = -t::mean(log_prob(f.gmm, autograd::Variable(f.test)).data()).item();
  for (int64_t K : {10, 25, 100}) {
    const std::vector<int64_t> traj = even_timesteps(1000, K);
    const KStepElbo analytic = elbo(traj, VarianceChoice::Analytic);
    const KStepElbo beta = elbo(traj, VarianceChoice::Beta);
    const KStepElbo beta_tilde = elbo(traj, VarianceChoice::BetaTilde);
    EXPECT_EQ(analytic.unit, "nats/point");
    EXPECT_LT(analytic.nll + 3 * paired_stderr(analytic.per_point, beta.per_point), beta.nll) << "K = " << K;
    EXPECT_LT(analytic.nll + 3 * paired_stderr(analytic.per_point, beta_tilde.per_point), beta_tilde.nll)
        << "K = " << K;
    for (const KStepElbo* e : {&analytic, &beta, &beta_tilde}) {
      EXPECT_GT(e->nll + 3 * e->std_error, true_nll) << e->variance << " K = " << K;
    }
  }
}

// The DP (9.3) against brute force: on a short chain every trajectory with
// tau_1 = 1, tau_K = T is enumerated; the DP must find the cheapest.
TEST(AnalyticTrajectory, DynamicProgrammingMatchesBruteForce) {
  const Schedule sch = linear_schedule(14, 1e-3, 0.2);
  std::vector<double> C(15, 0.0);
  for (int64_t ts = 1; ts <= 14; ++ts)
    C[ts] = 0.3 * (1 - sch.alpha_bar[ts]) / sch.alpha_bar[ts] * (1 + 0.5 * std::sin(ts));
  for (int64_t K : {2, 3, 5, 8}) {
    // Choose the K - 2 interior points from 2..13 (bit masks).
    double best = std::numeric_limits<double>::infinity();
    double best_dec = best;  // with the decoder term
    for (int mask = 0; mask < (1 << 12); ++mask) {
      if (__builtin_popcount(mask) != K - 2) continue;
      std::vector<int64_t> traj = {1};
      for (int i = 0; i < 12; ++i) {
        if (mask & (1 << i)) traj.push_back(i + 2);
      }
      traj.push_back(14);
      best = std::min(best, trajectory_cost(sch, C, traj));
      best_dec = std::min(best_dec, trajectory_cost(sch, C, traj, C[1]));
    }
    const std::vector<int64_t> dp = optimal_trajectory(sch, C, K);
    ASSERT_EQ(static_cast<int64_t>(dp.size()), K);
    EXPECT_EQ(dp.front(), 1);
    EXPECT_EQ(dp.back(), 14);
    EXPECT_NEAR(trajectory_cost(sch, C, dp), best, 1e-12) << "K = " << K;
    const std::vector<int64_t> dp_dec = optimal_trajectory(sch, C, K, C[1]);
    EXPECT_NEAR(trajectory_cost(sch, C, dp_dec, C[1]), best_dec, 1e-12) << "K = " << K;
  }
}

// With the residual estimate (7.3r) the DP trajectory's objective is at most
// the even trajectory's (exactly: the DP is a minimum), and its ELBO, which
// the objective predicts, is no worse than even spacing's (within 3 paired
// standard errors) at K = 10, 25, 100.
TEST(AnalyticTrajectory, OptimalTrajectoryAtLeastAsGoodAsEven) {
  const Fixture& f = fixture();
  const std::vector<double> C = f.table.c_all(f.sch, CEstimate::Residual);
  for (int64_t K : {10, 25, 100}) {
    const std::vector<int64_t> even = even_timesteps(1000, K);
    // Note [Decoder term in the DP] (trajectory.h): the 2-D decoder's cost joins the objective.
    const std::vector<int64_t> opt = optimal_trajectory(f.sch, C, K, C[1]);
    EXPECT_LE(trajectory_cost(f.sch, C, opt, C[1]), trajectory_cost(f.sch, C, even, C[1]) + 1e-12) << "K = " << K;
    const KStepElbo e = elbo(even, VarianceChoice::Analytic);
    const KStepElbo o = elbo(opt, VarianceChoice::Analytic);
    EXPECT_LT(o.nll, e.nll + 3 * paired_stderr(o.per_point, e.per_point)) << "K = " << K;
  }
}

// The discretized decoder (2.9) is a probability over the 256 levels; the
// Gaussian decoder and KL agree with their textbook values.
TEST(AnalyticElbo, DecoderTermsAreNormalized) {
  for (double mu : {-1.2, -0.3, 0.0, 0.999}) {
    for (double sigma : {0.003, 0.05, 1.0}) {
      std::vector<double> levels(256);
      for (int i = 0; i < 256; ++i) levels[i] = -1.0 + 2.0 * i / 255.0;
      const t::Tensor x = t::from_vector(levels, {256, 1}, t::DType::Float64);
      const t::Tensor nll = discretized_gaussian_nll(x, t::full({256, 1}, mu, t::DType::Float64), sigma);
      double total = 0;
      for (double v : nll.to_vector<double>()) total += std::exp(-v);
      EXPECT_NEAR(total, 1.0, 1e-9) << "mu = " << mu << " sigma = " << sigma;
    }
  }
  // Far in the tail the log stays finite (log space, not log 0).
  const double far =
      discretized_gaussian_nll(t::full({1, 1}, -1.0, t::DType::Float64), t::full({1, 1}, 1.0, t::DType::Float64), 0.01)
          .item();
  EXPECT_TRUE(std::isfinite(far));
  EXPECT_NEAR(far, 0.5 * 200 * 200, 0.01 * 0.5 * 200 * 200);
  // KL (2.8), d = 2: (d/2)(v1/v2 - 1 - log(v1/v2)) + ||mu1 - mu2||^2 / (2 v2).
  const t::Tensor diff = t::from_vector(std::vector<double>{0.3, -0.4}, {1, 2}, t::DType::Float64);
  const double kl = gaussian_kl(diff, 0.5, t::scalar(2.0, t::DType::Float64)).item();
  EXPECT_NEAR(kl, (0.25 - 1 - std::log(0.25)) + 0.25 / 4.0, 1e-14);
}

TEST(AnalyticElbo, ReportsJson) {
  const Fixture& f = fixture();
  KStepElboOptions options;
  options.variance = VarianceChoice::Beta;
  const KStepElbo e = kstep_elbo(f.model, f.test.narrow(0, 0, 50), f.sch, even_timesteps(1000, 5), options);
  const std::string json = e.to_json();
  for (const char* key : {"\"nll\"", "\"stderr\"", "\"unit\":\"nats/point\"", "\"steps\":5", "\"variance\":\"beta\"",
                          "\"trajectory\":[1,251,500,750,1000]"}) {
    EXPECT_NE(json.find(key), std::string::npos) << key << " in " << json;
  }
  EXPECT_THROW(kstep_elbo(f.model, f.test, f.sch, {2, 1000}, options), t::Error);  // must start at 1
}

// With K = T and beta_tilde, (9.1) on 8-bit data is the DDPM ELBO (2.7) of
// likelihood.h (same decoder variance beta_tilde_2). The two use different
// random draws, so they must agree within 4 combined standard errors.
TEST(AnalyticElbo, FullChainMatchesDdpmElbo) {
  const Schedule sch = linear_schedule(100, 1e-3, 0.2);
  const GaussianMixture gmm = mixture();
  const EpsModel model = gmm_eps_model(gmm, ddpm_kernel(sch));
  t::Generator gen(4);
  // Points on the 8-bit grid k/127.5 - 1 inside [-1, 1].
  const t::Tensor raw = t::clamp(sample_mixture(gmm, 400, gen, t::DType::Float64) * 0.6, -1.0, 1.0);
  const t::Tensor x0 = t::floor((raw + 1.0) * 127.5 + 0.5) / 127.5 - 1.0;
  KStepElboOptions options;
  options.variance = VarianceChoice::BetaTilde;
  options.images = true;
  options.seed = 3;
  const KStepElbo ours = kstep_elbo(model, x0, sch, all_timesteps(100), options);
  EXPECT_EQ(ours.unit, "bits/dim");
  t::Generator gen2(8);
  const ElboResult ref = ddpm_elbo(sch, model, x0, gen2, ElboVariance::BetaTilde);
  const double ref_mean = t::mean(ref.bpd).item();
  const double ref_se = std::sqrt(t::var(ref.bpd).item() / 400.0);
  EXPECT_NEAR(ours.nll, ref_mean, 4 * std::sqrt(ours.std_error * ours.std_error + ref_se * ref_se));
  EXPECT_LT(std::sqrt(ours.std_error * ours.std_error + ref_se * ref_se), 0.05 * ref_mean);  // a meaningful check
}
