// The discrete samplers (docs/math.md sections 2-3) run on the exact epsilon of a
// Gaussian mixture (section 10): with the true denoiser, what comes out must
// be the mixture itself, up to the discretization error of the sampler.
//
// Note [SWD threshold]: an exact sampler's n samples are just another draw of
// n points from the mixture, so its SWD to the reference set is distributed
// like the SWD between two independent data sets of that size (the "floor";
// at n = 4000 it is about 0.028, spread 0.017-0.035 over seeds). We measure
// the floor in the test itself, as the mean over 4 independent sets, and
// allow twice it: an exact sampler passes with a wide margin, while noise
// N(0, I) (about 0.56) and a 10-step DDPM (about 0.18) are far above it, so
// the tests can fail.
#include <gtest/gtest.h>

#include <cmath>

#include "diffusion/ddim.h"
#include "diffusion/ddpm.h"
#include "diffusion/metrics.h"
#include "diffusion/oracle.h"
#include "diffusion/timesteps.h"
#include "tensor/ops.h"
#include "tensor/random.h"

using namespace diffusion;
namespace t = tensor;

namespace {

// N samples, 2-D points. Three well-separated components with unequal weights and small stds.
constexpr int64_t kN = 4000;
constexpr int64_t kDirections = 256;
constexpr uint64_t kDirectionSeed = 9;

GaussianMixture three_components() {
  return make_gaussian_mixture({{-1.5, 0.0}, {1.5, 0.5}, {0.0, 1.8}}, {0.15, 0.1, 0.2}, {0.5, 0.3, 0.2});
}

// The reference data set, the SWD floor and threshold of Note [SWD threshold], and the oracle.
struct OracleSetup {
  GaussianMixture gmm = three_components();
  Schedule schedule = linear_schedule(1000);
  EpsModel eps = gmm_eps_model(gmm, ddpm_kernel(schedule));
  t::Tensor data;
  double floor = 0;
  double threshold = 0;

  OracleSetup() {
    t::Generator gen(100);
    data = sample_mixture(gmm, kN, gen);
    for (int i = 0; i < 4; ++i) floor += swd(sample_mixture(gmm, kN, gen)) / 4;
    threshold = 2 * floor;
  }
  double swd(const t::Tensor& x) const { return sliced_wasserstein(data, x, kDirections, kDirectionSeed); }
};

const OracleSetup& setup() {
  static const OracleSetup s;
  return s;
}

// Weights within 0.02, component means within 0.05, SWD below the threshold.
void expect_reproduces_mixture(const t::Tensor& x, const std::string& what) {
  const OracleSetup& s = setup();
  const MixtureFit fit = mixture_fit(s.gmm, x);
  const double swd = s.swd(x);
  EXPECT_LT(fit.max_weight_error, 0.02) << what;
  EXPECT_LT(fit.max_mean_error, 0.05) << what;
  EXPECT_LT(swd, s.threshold) << what << " (floor " << s.floor << ")";
  std::printf("  %-24s SWD %.4f (floor %.4f, threshold %.4f)  weight err %.4f  mean err %.4f\n", what.c_str(), swd,
              s.floor, s.threshold, fit.max_weight_error, fit.max_mean_error);
}

}  // namespace

TEST(SwdThreshold, NoiseAndCoarseSamplersAreFarAbove) {
  const OracleSetup& s = setup();
  EXPECT_GT(s.floor, 0.0);
  t::Generator gen(300);
  const double noise = s.swd(t::randn({kN, 2}, gen));
  EXPECT_GT(noise, 5 * s.threshold);
  // A 10-step ancestral sampler with sigma^2 = beta is visibly wrong: the test must see it.
  AncestralSampler coarse{s.schedule, even_timesteps(1000, 10), AncestralVariance::Beta};
  EXPECT_GT(s.swd(coarse.sample(s.eps, {kN, 2}, 11)), s.threshold);
  std::printf("  floor %.4f  threshold %.4f  noise %.4f\n", s.floor, s.threshold, noise);
}

// The posterior form of the step equals the first form of (2.5) without clipping.
TEST(Ancestral, StepMatchesFirstFormOfTheMean) {
  const Schedule sch = linear_schedule(1000);
  t::Generator gen(1);
  const t::Tensor x = t::randn({16, 2}, gen, t::DType::Float64);
  const t::Tensor eps = t::randn({16, 2}, gen, t::DType::Float64);
  const t::Tensor z = t::randn({16, 2}, gen, t::DType::Float64);
  for (auto variance : {AncestralVariance::Beta, AncestralVariance::BetaTilde}) {
    AncestralSampler sampler{sch, all_timesteps(1000), variance};
    for (int64_t step : {2, 100, 1000}) {
      const double sigma2 = variance == AncestralVariance::Beta ? sch.beta[step] : sch.beta_tilde[step];
      // docs/math.md (2.5), first form: (1/sqrt(alpha_t)) (x_t - (beta_t / b_t) eps) + sigma z
      const t::Tensor expected =
          (x - (sch.beta[step] / sch.b(step)) * eps) / std::sqrt(sch.alpha[step]) + std::sqrt(sigma2) * z;
      const t::Tensor got = sampler.step(x, eps, step, step - 1, z);
      EXPECT_LT(t::amax(t::abs(got - expected)).item(), 1e-12) << "t = " << step;
    }
  }
}

// eta = 1 makes DDIM's jump the ancestral jump with beta_tilde (docs/math.md section 3).
TEST(Ddim, EtaOneIsAncestralWithBetaTilde) {
  const Schedule sch = cosine_schedule(1000);
  const auto tau = even_timesteps(1000, 20);
  DdimSampler ddim{sch, tau, 1.0};
  AncestralSampler ddpm{sch, tau, AncestralVariance::BetaTilde};
  t::Generator gen(2);
  const t::Tensor x = t::randn({16, 2}, gen, t::DType::Float64);
  const t::Tensor eps = t::randn({16, 2}, gen, t::DType::Float64);
  const t::Tensor z = t::randn({16, 2}, gen, t::DType::Float64);
  for (size_t k = 1; k < tau.size(); ++k) {
    const t::Tensor a = ddim.step(x, eps, tau[k], tau[k - 1], z);
    const t::Tensor b = ddpm.step(x, eps, tau[k], tau[k - 1], z);
    ASSERT_LT(t::amax(t::abs(a - b)).item(), 1e-12) << tau[k] << " -> " << tau[k - 1];
  }
  EXPECT_NEAR(ddim.sigma2(tau[5], tau[4]), sch.beta_tilde_jump(tau[4], tau[5]), 1e-15);
}

// With clipping, x0_hat lies in [-1, 1], so the last jump (to s = 0, which returns x0_hat) does too.
TEST(Samplers, ClippingBoundsTheOutput) {
  const OracleSetup& s = setup();
  DdimSampler ddim{s.schedule, even_timesteps(1000, 20), 0.0, /*clip_x0=*/true};
  AncestralSampler ddpm{s.schedule, even_timesteps(1000, 20), AncestralVariance::Beta, /*clip_x0=*/true};
  for (const t::Tensor& x : {ddim.sample(s.eps, {500, 2}, 3), ddpm.sample(s.eps, {500, 2}, 3)}) {
    EXPECT_LE(t::amax(t::abs(x)).item(), 1.0);
    EXPECT_GT(t::amax(t::abs(x)).item(), 0.9);  // the mixture reaches past 1, so clipping bites
  }
}

TEST(Samplers, StepsCheckTheirArguments) {
  const Schedule sch = linear_schedule(100);
  const t::Tensor x = t::zeros({4, 2});
  DdimSampler ddim{sch, all_timesteps(100)};
  AncestralSampler ddpm{sch, all_timesteps(100)};
  EXPECT_THROW(ddim.step(x, x, 10, 10, x), t::Error);   // s must be < t
  EXPECT_THROW(ddpm.step(x, x, 101, 50, x), t::Error);  // t beyond T
  EXPECT_THROW(ddim.step(x, t::zeros({4, 3}), 10, 5, x), t::Error);
  DdimSampler bad_eta{sch, all_timesteps(100), 1.5};
  EXPECT_THROW(bad_eta.sample([](const Variable& v, const t::Tensor&) { return v; }, x, 0), t::Error);
  AncestralSampler bad_seq{sch, {5, 3}};
  EXPECT_THROW(bad_seq.sample([](const Variable& v, const t::Tensor&) { return v; }, x, 0), t::Error);
}

TEST(Samplers, SameSeedSameBits) {
  const OracleSetup& s = setup();
  AncestralSampler ddpm{s.schedule, even_timesteps(1000, 20), AncestralVariance::Beta};
  DdimSampler ddim{s.schedule, even_timesteps(1000, 20), 0.5};
  EXPECT_EQ(ddpm.sample(s.eps, {300, 2}, 5).to_vector<float>(), ddpm.sample(s.eps, {300, 2}, 5).to_vector<float>());
  EXPECT_EQ(ddim.sample(s.eps, {300, 2}, 5).to_vector<float>(), ddim.sample(s.eps, {300, 2}, 5).to_vector<float>());
  EXPECT_NE(ddpm.sample(s.eps, {300, 2}, 5).to_vector<float>(), ddpm.sample(s.eps, {300, 2}, 6).to_vector<float>());
}

TEST(Ancestral, ThousandStepsReproduceTheMixture) {
  const OracleSetup& s = setup();
  for (auto variance : {AncestralVariance::Beta, AncestralVariance::BetaTilde}) {
    AncestralSampler sampler{s.schedule, all_timesteps(1000), variance};
    const t::Tensor x = sampler.sample(s.eps, {kN, 2}, 11);
    expect_reproduces_mixture(x, variance == AncestralVariance::Beta ? "ddpm T=1000" : "ddpm-tilde T=1000");
  }
}

TEST(Ddim, HundredStepsReproduceTheMixture) {
  const OracleSetup& s = setup();
  DdimSampler sampler{s.schedule, even_timesteps(1000, 100), 0.0};
  expect_reproduces_mixture(sampler.sample(s.eps, {kN, 2}, 11), "ddim eta=0 K=100");
  DdimSampler half{s.schedule, uniform_timesteps(1000, 100), 0.5};
  expect_reproduces_mixture(half.sample(s.eps, {kN, 2}, 12), "ddim eta=0.5 K=100 unif");
}

// Inversion (3.4) then sampling returns x_0 up to the Euler error of the
// probability-flow ODE, which is first order in the step: ten times the steps
// should cut the error about tenfold (measured: 0.0297 at K = 100, 0.0030 at
// K = 1000, mean distance per point). We ask for a fourfold cut, and for the
// 100-step error to be small against the data's scale (components 1.5 apart).
TEST(Ddim, InversionReconstructsWithShrinkingError) {
  const OracleSetup& s = setup();
  const t::Tensor x0 = s.data.narrow(0, 0, 2000);
  std::vector<double> errors;
  for (int64_t K : {100, 1000}) {
    DdimSampler sampler{s.schedule, even_timesteps(1000, K), 0.0};
    const t::Tensor x_T = sampler.invert(s.eps, x0);
    // x_T should look like N(0, I) noise.
    EXPECT_NEAR(std::sqrt(t::var(x_T).item()), 1.0, 0.1);
    const t::Tensor rec = sampler.sample(s.eps, x_T, 1);
    errors.push_back(t::mean(t::sqrt(t::sum(t::square(rec - x0), {1}))).item());
    std::printf("  DDIM inversion K=%ld: mean reconstruction error %.4g\n", K, errors.back());
  }
  EXPECT_LT(errors[0], 0.1);
  EXPECT_LT(errors[1], errors[0] / 4);
}

// The SWD table of docs/diffusion.md: each sampler at 10, 50 and 1000 steps
// (even sub-sequence). At 1000 steps all three must be within the threshold;
// at 10 steps the ancestral sampler with sigma^2 = beta must be the worst
// (its large noise cannot be removed in few steps).
TEST(SamplerTable, SwdAtTenFiftyThousandSteps) {
  const OracleSetup& s = setup();
  std::printf("  | sampler | K=10 | K=50 | K=1000 |   (SWD floor %.4f)\n", s.floor);
  std::vector<std::vector<double>> table;
  for (const char* name : {"ddpm", "ddpm-tilde", "ddim"}) {
    std::vector<double> row;
    for (int64_t K : {10, 50, 1000}) {
      const auto tau = even_timesteps(1000, K);
      t::Tensor x;
      if (std::string(name) == "ddim") {
        x = DdimSampler{s.schedule, tau, 0.0}.sample(s.eps, {kN, 2}, 21);
      } else {
        x = AncestralSampler{s.schedule, tau, parse_ancestral_variance(name)}.sample(s.eps, {kN, 2}, 21);
      }
      row.push_back(s.swd(x));
    }
    std::printf("  | %s | %.4f | %.4f | %.4f |\n", name, row[0], row[1], row[2]);
    table.push_back(row);
  }
  for (const auto& row : table) EXPECT_LT(row[2], s.threshold);
  EXPECT_GT(table[0][0], table[1][0]);
  EXPECT_GT(table[0][0], table[2][0]);
}

TEST(SamplerChain, WalksTheTrajectoryDownToZeroWithTheRuleOfEachJump) {
  // Note [One sampler loop]: eps is evaluated at (x, tau_k) with label tau_k - 1,
  // the rule takes x to tau_{k-1} (0 after tau_1), and each step is reported.
  std::vector<float> labels_seen;
  const EpsModel model = [&](const Variable& x, const Tensor& label) {
    labels_seen.push_back(label.to_vector<float>()[0]);
    EXPECT_EQ(label.device(), x.device());
    return Variable(t::zeros_like(x.data()));
  };
  std::vector<std::pair<int64_t, int64_t>> jumps;
  const JumpRule rule = [&](const Tensor& x, const Tensor&, int64_t t_step, int64_t s, t::Generator&) {
    jumps.emplace_back(t_step, s);
    return x + 1.0;
  };
  std::vector<int64_t> reported;
  t::Generator gen(0);
  const Tensor x = run_chain(model, {1, 4, 9}, t::zeros({2, 3}), gen, rule,
                             [&](int64_t s, const Tensor&) { reported.push_back(s); });
  EXPECT_EQ(labels_seen, (std::vector<float>{8, 3, 0}));
  EXPECT_EQ(jumps, (std::vector<std::pair<int64_t, int64_t>>{{9, 4}, {4, 1}, {1, 0}}));
  EXPECT_EQ(reported, (std::vector<int64_t>{4, 1, 0}));
  EXPECT_EQ(x.to_vector<float>(), std::vector<float>(6, 3.0f));
}
