// The per-jump optimal variance (docs/math.md (7.1)-(7.7)) against its special
// cases (7.4), (7.5), its bounds (7.6), and the DDPM / DDIM samplers' own
// step formulas (ddpm.h, ddim.h), which (3.3) must reproduce.
#include <gtest/gtest.h>

#include <cmath>

#include "diffusion/analytic/samplers.h"
#include "diffusion/analytic/variance.h"
#include "diffusion/ddim.h"
#include "diffusion/ddpm.h"
#include "diffusion/schedule.h"
#include "tensor/ops.h"
#include "tensor/random.h"

using namespace diffusion;
using namespace diffusion::analytic;
namespace t = tensor;

namespace {
// (t, s) jumps: single steps and long jumps, near both ends of the chain.
const std::vector<std::pair<int64_t, int64_t>> kJumps = {{2, 1},   {10, 9},    {500, 499},  {1000, 999},
                                                         {112, 1}, {600, 300}, {1000, 889}, {1000, 1}};
}  // namespace

// (7.1) with lambda^2 = beta_tilde and the Gamma form of C (7.2) is the
// closed form (7.4): (beta_{t|s}/alpha_{t|s}) (1 - beta_{t|s} Gamma_t / (1 - alpha_bar_t)).
TEST(AnalyticVariance, DdpmTypeMatchesTheoremOneForm) {
  for (const char* name : {"linear", "cosine"}) {
    const Schedule sch = make_schedule(name, 1000);
    for (auto [t_step, s] : kJumps) {
      for (double gamma_t : {0.0, 0.3, 0.9, 1.0}) {
        const double alpha_bar_t = sch.alpha_bar[t_step];
        const double C = (1 - alpha_bar_t) / alpha_bar_t * (1 - gamma_t);
        const double beta_ts = sch.beta_jump(t_step, s);
        const double expected = beta_ts / sch.alpha_jump(t_step, s) * (1 - beta_ts * gamma_t / (1 - alpha_bar_t));
        // (7.4)'s closed form cancels 1 - x for x near 1 (Gamma = 1 on a long
        // jump); compare on the scale beta_{t|s}/alpha_{t|s} of its terms.
        EXPECT_NEAR(optimal_sigma2(sch, t_step, s, 1.0, C), expected, 1e-12 * beta_ts / sch.alpha_jump(t_step, s))
            << name << " t = " << t_step << " s = " << s << " Gamma = " << gamma_t;
      }
    }
  }
}

// eta = 0 is (7.5): (sqrt(alpha_bar_s) - sqrt((1 - alpha_bar_s) alpha_bar_t / (1 - alpha_bar_t)))^2 C.
TEST(AnalyticVariance, DdimTypeMatchesClosedForm) {
  const Schedule sch = linear_schedule(1000);
  for (auto [t_step, s] : kJumps) {
    const double ab_t = sch.alpha_bar[t_step], ab_s = sch.alpha_bar[s];
    const double g = std::sqrt(ab_s) - std::sqrt((1 - ab_s) * ab_t / (1 - ab_t));
    EXPECT_NEAR(optimal_sigma2(sch, t_step, s, 0.0, 0.37), g * g * 0.37, 1e-12);
    EXPECT_EQ(jump_coefficients(sch, t_step, s, 0.0).lambda2, 0.0);
  }
}

// The clipped C gives lambda^2 <= sigma*^2 <= lambda^2 + gamma^2 (smallest bound),
// and every bound of (7.6) is active somewhere.
TEST(AnalyticVariance, ClippedVarianceLiesWithinBounds) {
  const Schedule sch = linear_schedule(1000);
  DataBounds bounds;
  bounds.data_var = 0.5;
  bounds.range = std::make_pair(-1.0, 1.0);
  EXPECT_NEAR(c_upper_bound(sch, 1, bounds), (1 - sch.alpha_bar[1]) / sch.alpha_bar[1], 1e-15);  // small t: 1/SNR
  EXPECT_EQ(c_upper_bound(sch, 1000, bounds), 0.5);                                              // data variance
  bounds.data_var = 3.0;
  EXPECT_EQ(c_upper_bound(sch, 1000, bounds), 1.0);  // range [-1, 1]: ((1 - (-1))/2)^2
  EXPECT_EQ(clip_c(-0.2, sch, 500, bounds), 0.0);
  EXPECT_EQ(clip_c(7.0, sch, 500, bounds), 1.0);
  for (double eta : {0.0, 0.5, 1.0}) {
    for (auto [t_step, s] : kJumps) {
      const JumpCoefficients c = jump_coefficients(sch, t_step, s, eta);
      for (double raw : {-1.0, 0.0, 0.01, 0.5, 10.0, 1e6}) {
        const double sigma2 = optimal_sigma2(sch, t_step, s, eta, clip_c(raw, sch, t_step, bounds));
        EXPECT_GE(sigma2, c.lambda2);
        EXPECT_LE(sigma2, c.lambda2 + c.gamma * c.gamma * c_upper_bound(sch, t_step, bounds) * (1 + 1e-12));
      }
    }
  }
}

// The step (3.3) with eta = 1 is DDPM's posterior-mean step, and with any eta
// DDIM's step: compare x_s = coef_xt x_t + gamma x0_hat (z = 0) with the
// samplers in ddpm.h and ddim.h, and lambda^2 with DdimSampler::sigma2 (3.1).
TEST(AnalyticVariance, CoefficientsReproduceDdpmAndDdimSteps) {
  const Schedule sch = cosine_schedule(1000);
  t::Generator gen(3);
  const t::Tensor x = t::randn({16, 2}, gen, t::DType::Float64);
  const t::Tensor eps = t::randn({16, 2}, gen, t::DType::Float64);
  const t::Tensor zero = t::zeros({16, 2}, t::DType::Float64);
  for (auto [t_step, s] : kJumps) {
    const t::Tensor x0_hat = (x - sch.b(t_step) * eps) / sch.a(t_step);
    AncestralSampler ddpm{sch, all_timesteps(1000), AncestralVariance::BetaTilde, false};
    const JumpCoefficients c1 = jump_coefficients(sch, t_step, s, 1.0);
    const t::Tensor ours = c1.coef_xt * x + c1.gamma * x0_hat;
    EXPECT_LT(t::amax(t::abs(ours - ddpm.step(x, eps, t_step, s, zero))).item(), 1e-10);
    EXPECT_NEAR(c1.lambda2, sch.beta_tilde_jump(s, t_step), 1e-15);
    for (double eta : {0.0, 0.3, 1.0}) {
      DdimSampler ddim{sch, all_timesteps(1000), eta, false};
      const JumpCoefficients c = jump_coefficients(sch, t_step, s, eta);
      EXPECT_NEAR(c.lambda2, ddim.sigma2(t_step, s), 1e-15);
      const t::Tensor mine = c.coef_xt * x + c.gamma * x0_hat;
      EXPECT_LT(t::amax(t::abs(mine - ddim.step(x, eps, t_step, s, zero))).item(), 1e-10)
          << "t = " << t_step << " s = " << s << " eta = " << eta;
    }
  }
}

// (7.7): E|sigma z| = 2y/255 at the clip; the reference's number for y = 1.
TEST(AnalyticVariance, FirstJumpClipOfReferenceCode) {
  EXPECT_NEAR(first_jump_sigma2_max(1.0), 9.66e-5, 0.01e-5);
  EXPECT_NEAR(std::sqrt(first_jump_sigma2_max(2.0)) * std::sqrt(2 / M_PI), 4.0 / 255.0, 1e-15);
}

// The sampler's step (3.3) + (7.1) with the image rules of (7.7): the noise of
// the jump tau_2 -> tau_1 is clipped, other jumps are not, the last jump
// returns the clipped x0_hat without noise.
TEST(AnalyticVariance, SamplerStepAppliesImageRules) {
  const Schedule sch = linear_schedule(1000);
  OptimalVarianceSampler sampler;
  sampler.name = "analytic-ddpm";
  sampler.schedule = sch;
  sampler.timesteps = {1, 500, 1000};
  sampler.eta = 1.0;
  sampler.clip_x0 = true;
  sampler.first_jump_y = 1.0;
  t::Generator gen(5);
  const t::Tensor x = t::randn({4, 3}, gen, t::DType::Float64) * 3.0;
  const t::Tensor eps = t::randn({4, 3}, gen, t::DType::Float64);
  const t::Tensor ones = t::ones({4, 3}, t::DType::Float64);
  const t::Tensor zeros = t::zeros({4, 3}, t::DType::Float64);
  const t::Tensor C = t::scalar(0.5, t::DType::Float64);
  // tau_2 = 500 -> tau_1 = 1: sigma = sqrt(first_jump_sigma2_max(1)) in every element.
  const t::Tensor noise_first = sampler.step(x, eps, C, 500, 1, ones) - sampler.step(x, eps, C, 500, 1, zeros);
  EXPECT_NEAR(t::amax(t::abs(noise_first - std::sqrt(first_jump_sigma2_max(1.0)))).item(), 0.0, 1e-12);
  // 1000 -> 500: sigma^2 = (7.1), unclipped.
  const t::Tensor noise = sampler.step(x, eps, C, 1000, 500, ones) - sampler.step(x, eps, C, 1000, 500, zeros);
  EXPECT_NEAR(t::amax(t::abs(noise - std::sqrt(optimal_sigma2(sch, 1000, 500, 1.0, 0.5)))).item(), 0.0, 1e-12);
  // 1 -> 0: the clipped x0_hat.
  const t::Tensor last = sampler.step(x, eps, C, 1, 0, t::Tensor());
  const t::Tensor x0_hat = t::clamp((x - sch.b(1) * eps) / sch.a(1), -1.0, 1.0);
  EXPECT_EQ(t::amax(t::abs(last - x0_hat)).item(), 0.0);
}
