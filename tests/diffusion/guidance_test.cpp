// Guidance (docs/math.md (12.1)-(12.3)) on the Gaussian-mixture oracle, where
// the conditional model is exact: class k is component k.
//   - (12.1) at w = 1 and w = 0 is exactly the conditional / unconditional model;
//   - classifier guidance (12.2) with the exact classifier log r_k equals
//     classifier-free guidance with the exact components, at every weight;
//   - sampled at w = 1 (DDPM, DDIM, the PF-ODE, the reverse SDE), the oracle
//     draws component k: SWD to direct draws of it within twice the floor of
//     Note [SWD threshold] (sampler_test.cpp);
//   - at w > 1 mass moves the way grad log p_t(k | x) points: away from the
//     other component, and further for a larger w.
#include "diffusion/guidance.h"

#include <gtest/gtest.h>

#include <cmath>

#include "diffusion/ddim.h"
#include "diffusion/ddpm.h"
#include "diffusion/metrics.h"
#include "diffusion/oracle.h"
#include "diffusion/predictor_corrector.h"
#include "diffusion/probability_flow.h"
#include "diffusion/timesteps.h"
#include "tensor/ops.h"
#include "tensor/random.h"

using namespace diffusion;
namespace t = tensor;

namespace {

constexpr int64_t kN = 2000;

double max_abs_diff(const t::Tensor& a, const t::Tensor& b) { return t::amax(t::abs(a - b)).item(); }

// Three components, 2-D; class 0 is the left one.
GaussianMixture three_components() {
  return make_gaussian_mixture({{-1.5, 0.0}, {1.5, 0.5}, {0.0, 1.8}}, {0.15, 0.1, 0.2}, {0.5, 0.3, 0.2});
}

// Two overlapping components on the x axis, so that p(k | x) varies over each of them and w > 1 shows.
GaussianMixture two_overlapping() { return make_gaussian_mixture({{-1.0, 0.0}, {1.0, 0.0}}, {0.6, 0.6}, {0.5, 0.5}); }

struct Oracle {
  GaussianMixture gmm;
  Schedule schedule = linear_schedule(1000);
  KernelFn kernel = ddpm_kernel(schedule);
  EpsModel guided(int64_t k, double w) const {
    return classifier_free_guidance(gmm_component_eps_model(gmm, kernel, k), gmm_eps_model(gmm, kernel), w);
  }
};

// Component k of gmm alone, as a one-component mixture.
GaussianMixture component(const GaussianMixture& gmm, int64_t k) {
  const auto mu = gmm.means.to_vector<double>();
  const int64_t d = gmm.d();
  return make_gaussian_mixture({std::vector<double>(mu.begin() + k * d, mu.begin() + (k + 1) * d)},
                               {gmm.stds.to_vector<double>()[k]}, {1.0});
}

double swd_to(const t::Tensor& reference, const t::Tensor& x) { return sliced_wasserstein(reference, x, 256, 9); }

}  // namespace

TEST(ClassifierFreeGuidance, WeightsOneAndZeroAreTheModelsAndOthersTheFormula) {
  const Oracle o{three_components()};
  t::Generator gen(1);
  const t::Tensor x = t::randn({64, 2}, gen, t::DType::Float64);
  const t::Tensor label = t::full({64}, 400.0);
  const EpsModel cond = gmm_component_eps_model(o.gmm, o.kernel, 1), none = gmm_eps_model(o.gmm, o.kernel);
  const t::Tensor eps_c = cond(Variable(x), label).data(), eps_none = none(Variable(x), label).data();
  EXPECT_EQ(max_abs_diff(o.guided(1, 1.0)(Variable(x), label).data(), eps_c), 0.0);
  EXPECT_EQ(max_abs_diff(o.guided(1, 0.0)(Variable(x), label).data(), eps_none), 0.0);
  EXPECT_GT(max_abs_diff(eps_c, eps_none), 0.1);                   // so the two checks above can fail
  const t::Tensor expected = eps_none + 3.0 * (eps_c - eps_none);  // docs/math.md (12.1)
  EXPECT_LT(max_abs_diff(o.guided(1, 3.0)(Variable(x), label).data(), expected), 1e-12);
}

// (12.3) is the eps of one Gaussian: the unconditional eps of the one-component mixture.
TEST(ClassifierFreeGuidance, OracleComponentIsTheOneGaussianEps) {
  const Oracle o{three_components()};
  t::Generator gen(2);
  const t::Tensor x = t::randn({32, 2}, gen, t::DType::Float64);
  for (double step : {0.0, 50.0, 700.0, 999.0}) {
    const t::Tensor label = t::full({32}, step);
    for (int64_t k = 0; k < 3; ++k) {
      const t::Tensor got = gmm_component_eps_model(o.gmm, o.kernel, k)(Variable(x), label).data();
      const t::Tensor want = gmm_eps_model(component(o.gmm, k), o.kernel)(Variable(x), label).data();
      EXPECT_LT(max_abs_diff(got, want), 1e-12) << "k " << k << " label " << step;
    }
  }
  EXPECT_THROW(gmm_component_eps_model(o.gmm, o.kernel, 3), t::Error);
}

// grad log p_t(k | x) = grad log p_t(x | k) - grad log p_t(x), so (12.2) with the exact
// classifier r_k is (12.1) with the exact components, at every weight and time.
TEST(ClassifierGuidance, ExactClassifierEqualsClassifierFreeGuidance) {
  const Oracle o{three_components()};
  t::Generator gen(3);
  const t::Tensor x = 1.5 * t::randn({48, 2}, gen, t::DType::Float64);
  const EpsModel none = gmm_eps_model(o.gmm, o.kernel);
  const ClassLogProb classifier = gmm_class_log_prob(o.gmm, o.kernel);
  for (double w : {0.5, 1.0, 4.0}) {
    for (double step : {10.0, 300.0, 900.0}) {
      const t::Tensor label = t::full({48}, step);
      for (int64_t k = 0; k < 3; ++k) {
        const t::Tensor by_classifier =
            classifier_guidance(none, classifier, o.kernel, k, w)(Variable(x), label).data();
        const t::Tensor free = o.guided(k, w)(Variable(x), label).data();
        EXPECT_LT(max_abs_diff(by_classifier, free), 1e-9) << "w " << w << " label " << step << " k " << k;
      }
    }
  }
  // and the gradient really moves it: w = 4 is not w = 0
  const t::Tensor label = t::full({48}, 300.0);
  EXPECT_GT(max_abs_diff(classifier_guidance(none, classifier, o.kernel, 0, 4.0)(Variable(x), label).data(),
                         none(Variable(x), label).data()),
            0.1);
}

// w = 1 draws component k with every kind of sampler: on two overlapping
// components, so the unconditional model's other component sits right beside it.
TEST(GuidedSampling, WeightOneDrawsTheComponent) {
  const Oracle o{two_overlapping()};
  const VpSde sde;
  for (int64_t k : {0, 1}) {
    t::Generator gen(10 + k);
    const GaussianMixture alone = component(o.gmm, k);
    const t::Tensor reference = sample_mixture(alone, kN, gen);
    double floor = 0;  // Note [SWD threshold] in sampler_test.cpp
    for (int i = 0; i < 4; ++i) floor += swd_to(reference, sample_mixture(alone, kN, gen)) / 4;
    const EpsModel eps = o.guided(k, 1.0);
    const EpsModel sde_eps = classifier_free_guidance(gmm_component_eps_model(o.gmm, sde.kernel(), k),
                                                      gmm_eps_model(o.gmm, sde.kernel()), 1.0);
    t::Generator ode_gen(5), sde_gen(6);
    const EulerMaruyamaPredictor euler(sde, sde_eps);
    const std::vector<std::pair<std::string, t::Tensor>> runs = {
        {"ddpm 200",
         AncestralSampler{o.schedule, even_timesteps(1000, 200), AncestralVariance::BetaTilde}.sample(eps, {kN, 2}, 4)},
        {"ddim 50", DdimSampler{o.schedule, even_timesteps(1000, 50), 0.0}.sample(eps, {kN, 2}, 4)},
        {"ode heun 50", sample_ode(sde, sde_eps, OdeSolver::Heun, 50, {kN, 2}, ode_gen).x},
        {"sde em 200", sample_sde(sde, sde_eps, euler, nullptr, 200, {kN, 2}, sde_gen).x},
    };
    // The unguided sampler draws both components: far from component k alone.
    const t::Tensor unguided =
        DdimSampler{o.schedule, even_timesteps(1000, 50), 0.0}.sample(gmm_eps_model(o.gmm, o.kernel), {kN, 2}, 4);
    EXPECT_GT(swd_to(reference, unguided), 5 * floor);
    for (const auto& [what, x] : runs) {
      const double swd = swd_to(reference, x);
      EXPECT_LT(swd, 2 * floor) << what << " k " << k;
      std::printf("  k %ld %-12s SWD to component %.4f (floor %.4f)\n", static_cast<long>(k), what.c_str(), swd, floor);
    }
  }
}

// w > 1 follows grad log p_t(0 | x), which points away from component 1 (along -x): the
// samples' mean moves left of mu_0 = -1, the more the larger w, while y stays symmetric;
// and the share of samples left of the midpoint grows from w_0 = 0.5 (w = 0) towards 1.
TEST(GuidedSampling, LargerWeightsMoveMassAwayFromTheOtherClass) {
  const Oracle o{two_overlapping()};
  const DdimSampler ddim{o.schedule, even_timesteps(1000, 50), 0.0};
  std::vector<double> mean_x, share;
  for (double w : {0.0, 1.0, 2.0, 4.0}) {
    const t::Tensor x = ddim.sample(o.guided(0, w), {kN, 2}, 7).to(t::DType::Float64);
    const std::vector<double> v = x.to_vector<double>();
    double sx = 0, sy = 0;
    int64_t left = 0;
    for (int64_t i = 0; i < kN; ++i) {
      sx += v[2 * i];
      sy += v[2 * i + 1];
      left += v[2 * i] < 0;
    }
    mean_x.push_back(sx / kN);
    share.push_back(static_cast<double>(left) / kN);
    EXPECT_NEAR(sy / kN, 0.0, 0.05) << "w " << w;
    std::printf("  w %.1f  mean x %+.4f  share left of 0 %.4f\n", w, sx / kN, static_cast<double>(left) / kN);
  }
  EXPECT_NEAR(mean_x[0], 0.0, 0.1);    // unguided: the symmetric mixture
  EXPECT_NEAR(mean_x[1], -1.0, 0.06);  // w = 1: component 0, mean -1
  EXPECT_LT(mean_x[2], mean_x[1] - 0.05);
  EXPECT_LT(mean_x[3], mean_x[2] - 0.05);
  EXPECT_NEAR(share[0], 0.5, 0.04);
  EXPECT_GT(share[1], 0.9);  // component 0 has 95% of its mass left of 0 (std 0.6)
  EXPECT_GT(share[2], share[1]);
  EXPECT_GE(share[3], share[2]);
}
