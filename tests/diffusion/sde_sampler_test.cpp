// The reverse-SDE samplers (docs/math.md 4.6-4.9) with the exact mixture oracle:
// EM and PC reproduce the mixture (Note [SDE SWD threshold]), the threshold
// rejects noise and a 10-step sampler, a reverse-diffusion step is the
// ancestral step, and the same seed gives the same samples.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "autograd/ops.h"
#include "diffusion/predictor_corrector.h"
#include "sde_mixture.h"

namespace diffusion {
namespace {

// Shapes: x is (n, 2): n points of the 2-D mixture.

using sde_test::kDirections;
using sde_test::kSamples;
using sde_test::kSwdFactor;
using sde_test::kSwdSeed;

class SdeSampler : public sde_test::SingleThreaded {};

double swd_to_data(const Tensor& x) {
  return sliced_wasserstein(x, sde_test::data_samples(1), kDirections, kSwdSeed);
}

// Weights within 0.02, means within 0.05 (docs/math.md 11.2), SWD within
// kSwdFactor times the noise floor (Note [SDE SWD threshold]).
void expect_reproduces_mixture(const Tensor& x, const std::string& what) {
  ASSERT_EQ(x.shape(), (Shape{kSamples, 2})) << what;
  const MixtureFit fit = mixture_fit(sde_test::mixture(), x);
  EXPECT_LT(fit.max_weight_error, 0.02) << what;
  EXPECT_LT(fit.max_mean_error, 0.05) << what;
  const double floor = sde_test::swd_noise_floor_cached();
  const double swd = swd_to_data(x);
  EXPECT_LT(swd, kSwdFactor * floor) << what << ": SWD " << swd << ", noise floor " << floor;
  std::printf("  %-52s SWD %.4f (floor %.4f, threshold %.4f)  weight err %.4f  mean err %.4f\n", what.c_str(), swd,
              floor, kSwdFactor * floor, fit.max_weight_error, fit.max_mean_error);
}

TEST_F(SdeSampler, EulerMaruyamaReproducesTheMixture) {
  const VpSde vp;
  const EpsModel eps = gmm_eps_model(sde_test::mixture(), vp.kernel());
  const EulerMaruyamaPredictor em(vp, eps);
  Generator gen(5);
  const SdeSampleResult r = sample_sde(vp, eps, em, nullptr, 500, {kSamples, 2}, gen);
  EXPECT_EQ(r.nfe, 500);
  expect_reproduces_mixture(r.x, "VP Euler-Maruyama, 500 steps");
}

TEST_F(SdeSampler, PredictorCorrectorReproducesTheMixture) {
  const VpSde vp;
  const EpsModel eps = gmm_eps_model(sde_test::mixture(), vp.kernel());
  const ReverseDiffusionPredictor rd(vp, eps);
  const LangevinCorrector corrector(vp, eps, 200);
  Generator gen(6);
  const SdeSampleResult r = sample_sde(vp, eps, rd, &corrector, 200, {kSamples, 2}, gen);
  EXPECT_EQ(r.nfe, 200 + 199);  // no corrector after the last predictor step
  expect_reproduces_mixture(r.x, "VP reverse diffusion + Langevin, 200 steps");
}

// The classic NCSN pairing: VE, reverse diffusion + Langevin with alpha = 1,
// starting from N(0, 50^2 I), ending with Tweedie's denoiser (4.9).
TEST_F(SdeSampler, VePredictorCorrectorWithTweedieReproducesTheMixture) {
  const VeSde ve;
  const EpsModel eps = gmm_eps_model(sde_test::mixture(), ve.kernel());
  const ReverseDiffusionPredictor rd(ve, eps);
  const LangevinCorrector corrector(ve, eps, 200);
  Generator gen(7);
  const SdeSampleResult r = sample_sde(ve, eps, rd, &corrector, 200, {kSamples, 2}, gen, FinalStep::Tweedie);
  EXPECT_EQ(r.nfe, 200 + 199 + 1);
  expect_reproduces_mixture(r.x, "VE reverse diffusion + Langevin, 200 steps, Tweedie");
}

TEST_F(SdeSampler, SubVpEulerMaruyamaReproducesTheMixture) {
  const SubVpSde subvp;
  const EpsModel eps = gmm_eps_model(sde_test::mixture(), subvp.kernel());
  const EulerMaruyamaPredictor em(subvp, eps);
  Generator gen(8);
  expect_reproduces_mixture(sample_sde(subvp, eps, em, nullptr, 300, {kSamples, 2}, gen).x,
                            "sub-VP Euler-Maruyama, 300 steps");
}

// The threshold is tight enough to fail: the prior noise the samplers start
// from is more than 10 thresholds away, and Euler-Maruyama with 10 steps
// (too coarse for beta up to 20) is rejected too.
TEST_F(SdeSampler, TheSwdThresholdRejectsNoiseAndACoarseSampler) {
  const VpSde vp;
  const EpsModel eps = gmm_eps_model(sde_test::mixture(), vp.kernel());
  const double threshold = kSwdFactor * sde_test::swd_noise_floor_cached();
  Generator noise_gen(9);
  const double noise_swd = swd_to_data(vp.prior_sample({kSamples, 2}, noise_gen));
  EXPECT_GT(noise_swd, 10 * threshold);
  const EulerMaruyamaPredictor em(vp, eps);
  Generator gen(5);
  const double coarse_swd = swd_to_data(sample_sde(vp, eps, em, nullptr, 10, {kSamples, 2}, gen).x);
  EXPECT_GT(coarse_swd, threshold);
  std::printf("  threshold %.4f; prior noise SWD %.4f; 10-step Euler-Maruyama SWD %.4f\n", threshold, noise_swd,
              coarse_swd);
}

// The corrector alone: Langevin dynamics with the exact score of p_t leaves
// p_t (nearly) invariant and pulls other points towards it. At t = 0.1
// (m = 0.95, sigma = 0.32: still a clear mixture), exact samples of p_t stay
// within twice the floor of p_t after 50 corrector steps, and points with the
// right component but 2.5 times too much noise end within twice the floor
// after 300. (From N(0, I) it would not: Langevin moves points within a mode
// quickly but across the low-density gaps between modes hardly at all, so
// wrong mode weights stay wrong; that is the predictor's job.)
TEST_F(SdeSampler, LangevinCorrectorKeepsAndReachesTheMarginal) {
  const VpSde vp;
  const EpsModel eps = gmm_eps_model(sde_test::mixture(), vp.kernel());
  const double t = 0.1;
  const int64_t n = 4000;
  // x_t = m x0 + noise_scale sigma eps; noise_scale = 1 is p_t.  docs/math.md (4.3)
  const auto marginal_samples = [&](uint64_t seed, double noise_scale = 1.0) {
    Generator gen(seed);
    const Tensor x0 = sample_mixture(sde_test::mixture(), n, gen);
    return tensor::add(tensor::mul(x0, vp.m(t)), tensor::mul(tensor::randn({n, 2}, gen), noise_scale * vp.sigma(t)));
  };
  const Tensor reference = marginal_samples(30);
  const auto swd = [&](const Tensor& x) { return sliced_wasserstein(x, reference, kDirections, kSwdSeed); };
  const double floor = 0.5 * (swd(marginal_samples(31)) + swd(marginal_samples(32)));
  // K = 1000 in alpha = exp(-beta(t)/K): the step size of a 1000-step PC run.
  const LangevinCorrector corrector(vp, eps, 1000);
  const auto run = [&](Tensor x, int steps, uint64_t seed) {
    Generator gen(seed);
    for (int i = 0; i < steps; ++i) x = corrector.step(x, t, gen).x;
    return x;
  };
  const double kept = swd(run(marginal_samples(33), 50, 1));
  const Tensor too_wide = marginal_samples(34, 2.5);
  const double start = swd(too_wide);
  const double reached = swd(run(too_wide, 300, 2));
  EXPECT_LT(kept, 2 * floor);
  EXPECT_GT(start, 5 * floor);
  EXPECT_LT(reached, 2 * floor);
  std::printf("  p_t floor %.4f; exact p_t after 50 steps %.4f; too wide %.4f -> after 300 steps %.4f\n", floor,
              kept, start, reached);
}

// One reverse-diffusion step of the VP SDE from t to s is the DDPM ancestral
// step (2.5) with beta = 1 - m(t)^2 / m(s)^2 and sigma^2 = beta (2.6); checked
// with a model that predicts a fixed eps and zero noise by comparing means.
TEST_F(SdeSampler, ReverseDiffusionStepIsTheAncestralStep) {
  const VpSde vp;
  const Tensor eps_value = tensor::from_vector(std::vector<double>{0.3, -0.7, 1.1, 0.2}, {2, 2});
  const EpsModel fixed = [&](const Variable& x, const Tensor&) { return Variable(eps_value); };
  const ReverseDiffusionPredictor rd(vp, fixed);
  const Tensor x = tensor::from_vector(std::vector<double>{0.5, -1.5, 2.0, 0.1}, {2, 2});
  const double t = 0.6, dt = 0.05;
  Generator gen(1);
  const PredictorStep step = rd.step(x, t, dt, gen);
  const double alpha = std::pow(vp.m(t) / vp.m(t - dt), 2);
  const double beta = 1 - alpha;
  const double b_t = vp.sigma(t);
  const std::vector<double> xs = x.to_vector<double>(), es = eps_value.to_vector<double>();
  const std::vector<double> mean = step.x_mean.to_vector<double>();
  for (size_t i = 0; i < xs.size(); ++i) {
    // (1/sqrt(alpha)) (x - beta / b_t eps).  docs/math.md (2.5)
    EXPECT_NEAR(mean[i], (xs[i] - beta / b_t * es[i]) / std::sqrt(alpha), 1e-5);
  }
  // The noise has variance beta: (x - x_mean) / sqrt(beta) is the drawn z.
  const Tensor z = tensor::div(tensor::sub(step.x, step.x_mean), tensor::scalar(std::sqrt(beta)));
  EXPECT_LT(tensor::amax(tensor::abs(z)).item(), 6.0);
  EXPECT_GT(tensor::amax(tensor::abs(z)).item(), 1e-3);
}

TEST_F(SdeSampler, SameSeedSameSamplesBitForBit) {
  const VpSde vp;
  const EpsModel eps = gmm_eps_model(sde_test::mixture(), vp.kernel());
  const ReverseDiffusionPredictor rd(vp, eps);
  const LangevinCorrector corrector(vp, eps, 20);
  const auto run = [&](uint64_t seed) {
    Generator gen(seed);
    return sample_sde(vp, eps, rd, &corrector, 20, {500, 2}, gen).x.to_vector<float>();
  };
  const std::vector<float> a = run(3), b = run(3), c = run(4);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

}  // namespace
}  // namespace diffusion
