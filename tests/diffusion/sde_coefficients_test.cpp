// The SDE coefficients of docs/math.md table (4.3) against closed-form numbers,
// the forward moment equations that tie f and g to m and sigma, the VP-DDPM
// correspondence (4.4), the kernel and labels (Note [SDE labels]) and the
// eps loss (4.5).
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <numbers>
#include <vector>

#include "autograd/ops.h"
#include "diffusion/oracle.h"
#include "diffusion/schedule.h"
#include "diffusion/sde.h"

namespace diffusion {
namespace {

// Shapes: N points, 2 dimensions; labels and kernel coefficients are (N,).

// Closed forms at t = 0, 0.5, 1 with the defaults (beta_min 0.1, beta_max 20,
// sigma_min 0.01, sigma_max 50), computed by hand: B(0.5) = 0.05 + 0.125 * 19.9
// = 2.5375, B(1) = 10.05.
TEST(SdeCoefficients, ClosedFormsAtZeroHalfOne) {
  const VpSde vp;
  const SubVpSde subvp;
  const VeSde ve;
  const double tol = 1e-12;
  EXPECT_NEAR(vp.m(0.0), 1.0, tol);
  EXPECT_NEAR(vp.sigma(0.0), 0.0, tol);
  EXPECT_NEAR(vp.m(0.5), std::exp(-0.5 * 2.5375), tol);
  EXPECT_NEAR(vp.m(0.5), 0.2811828807967524, tol);
  EXPECT_NEAR(vp.sigma(0.5), 0.9596542020680363, tol);
  EXPECT_NEAR(vp.m(1.0), 0.006571586494929619, tol);
  EXPECT_NEAR(vp.sigma(1.0), 0.9999784068923386, tol);
  EXPECT_NEAR(vp.g(0.5), std::sqrt(10.05), tol);

  EXPECT_NEAR(subvp.m(0.5), vp.m(0.5), tol);  // same drift, same mean
  EXPECT_NEAR(subvp.sigma(0.0), 0.0, tol);
  EXPECT_NEAR(subvp.sigma(0.5), 0.9209361875468394, tol);  // 1 - e^{-B}
  EXPECT_NEAR(subvp.sigma(1.0), 0.9999568142509396, tol);

  EXPECT_NEAR(ve.m(0.5), 1.0, tol);
  EXPECT_NEAR(ve.sigma(0.0), 0.01, tol);
  EXPECT_NEAR(ve.sigma(0.5), std::sqrt(0.01 * 50.0), tol);  // geometric mean
  EXPECT_NEAR(ve.sigma(1.0), 50.0, 1e-10);
  EXPECT_NEAR(ve.prior_std(), 50.0, tol);
  EXPECT_NEAR(ve.t_min(), 1e-5, tol);
  EXPECT_NEAR(vp.t_min(), 1e-3, tol);
}

// For a linear SDE dx = f_scale x dt + g dw the kernel moments obey
// dm/dt = f_scale m and d(sigma^2)/dt = 2 f_scale sigma^2 + g^2. This ties
// each row's f and g to its m and sigma by central differences. (For VE the
// table's sigma^2 is the variance plus sigma_min^2, a constant: same ODE.)
TEST(SdeCoefficients, DriftAndDiffusionMatchTheKernelMoments) {
  const std::vector<std::shared_ptr<Sde>> sdes = {std::make_shared<VeSde>(), std::make_shared<VpSde>(),
                                                  std::make_shared<SubVpSde>()};
  const double h = 1e-6;
  for (const auto& sde : sdes) {
    for (double t : {0.05, 0.3, 0.5, 0.8, 0.95}) {
      const double dm = (sde->m(t + h) - sde->m(t - h)) / (2 * h);
      const double s2 = sde->sigma(t) * sde->sigma(t);
      const double ds2 = (std::pow(sde->sigma(t + h), 2) - std::pow(sde->sigma(t - h), 2)) / (2 * h);
      const double g2 = sde->g(t) * sde->g(t);
      EXPECT_NEAR(dm, sde->f_scale(t) * sde->m(t), 1e-6 * (1 + std::abs(dm))) << sde->name() << " t=" << t;
      EXPECT_NEAR(ds2, 2 * sde->f_scale(t) * s2 + g2, 1e-5 * (1 + std::abs(ds2))) << sde->name() << " t=" << t;
    }
  }
}

// (4.4): the linear DDPM schedule (1.3), T = 1000, is the VP SDE with
// beta_i = beta(t_i)/T. Step t of the chain sits at time t/T: a_t ~ m(t/T),
// b_t ~ sigma(t/T), the gap (a first-order discretization, largest mid-way)
// is below 1.4e-3. Through the labels (label t-1 for DDPM, 999 t' for VP, so
// t' = (t-1)/999) the two kernels are one step apart: a within 2e-3, and b
// within 1.1e-2, set by the first step (b_1 = sqrt(beta_1) = 0.01, sigma(0) = 0).
TEST(SdeCoefficients, VpMatchesTheLinearDdpmSchedule) {
  const VpSde vp;
  const Schedule schedule = linear_schedule(1000);
  double gap_a = 0, gap_b = 0;
  for (int64_t t = 1; t <= 1000; ++t) {
    gap_a = std::max(gap_a, std::abs(schedule.a(t) - vp.m(t / 1000.0)));
    gap_b = std::max(gap_b, std::abs(schedule.b(t) - vp.sigma(t / 1000.0)));
  }
  EXPECT_LT(gap_a, 1.2e-3);
  EXPECT_LT(gap_b, 1.4e-3);
  EXPECT_GT(gap_a, 1e-5);  // a discretization, not an identity: the test sees the difference

  std::vector<double> labels;
  for (int64_t l = 0; l < 1000; l += 37) labels.push_back(static_cast<double>(l));
  labels.push_back(999.0);
  const Tensor label = tensor::from_vector(labels, {static_cast<int64_t>(labels.size())});
  const auto [a_ddpm, b_ddpm] = ddpm_kernel(schedule)(label);
  const auto [a_vp, b_vp] = vp.kernel()(label);
  EXPECT_LT(tensor::amax(tensor::abs(tensor::sub(a_ddpm, a_vp))).item(), 2e-3);
  EXPECT_LT(tensor::amax(tensor::abs(tensor::sub(b_ddpm, b_vp))).item(), 1.1e-2);
}

TEST(SdeCoefficients, LabelsAndKernel) {
  const VpSde vp;
  const VeSde ve;
  EXPECT_DOUBLE_EQ(vp.label(0.5), 499.5);  // (4.4)
  EXPECT_NEAR(vp.t_of_label(vp.label(0.37)), 0.37, 1e-12);
  EXPECT_NEAR(ve.label(0.5), ve.sigma(0.5), 1e-12);  // Note [SDE labels]
  EXPECT_NEAR(ve.t_of_label(ve.label(0.37)), 0.37, 1e-12);

  const Tensor labels = vp.labels(3, 0.25);
  ASSERT_EQ(labels.shape(), (Shape{3}));
  EXPECT_EQ(labels.dtype(), tensor::DType::Float32);
  const auto [a, b] = vp.kernel()(labels);
  EXPECT_EQ(a.dtype(), tensor::DType::Float64);
  // The label is float32: 249.75 is exact, so the round trip is too.
  EXPECT_NEAR(a.to_vector<double>()[2], vp.m(0.25), 1e-12);
  EXPECT_NEAR(b.to_vector<double>()[0], vp.sigma(0.25), 1e-12);
  const auto [a_ve, b_ve] = ve.kernel()(ve.labels(2, 0.6));
  EXPECT_NEAR(a_ve.to_vector<double>()[0], 1.0, 1e-12);
  EXPECT_NEAR(b_ve.to_vector<double>()[1], ve.sigma(0.6), 1e-6 * ve.sigma(0.6));  // float32 label
}

TEST(SdeCoefficients, PriorLogProb) {
  const VeSde ve;
  const Tensor x = tensor::from_vector(std::vector<double>{3.0, 4.0, 0.0, 0.0}, {2, 2});
  const std::vector<double> lp = ve.prior_log_prob(x).to_vector<double>();
  const double s2 = 2500.0;
  EXPECT_NEAR(lp[0], -std::log(2 * std::numbers::pi * s2) - 25.0 / (2 * s2), 1e-9);
  EXPECT_NEAR(lp[1], -std::log(2 * std::numbers::pi * s2), 1e-9);
}

// The eps loss (4.5): a model that predicts 0 scores E||eps||^2 / D = 1; the
// oracle eps* scores less (it is the minimizer); the labels the model sees
// are 999 t with t in [t_min, 1]; and the loss carries a gradient.
TEST(SdeCoefficients, EpsLoss) {
  const VpSde vp;
  const GaussianMixture gmm = make_gaussian_mixture({{-2.0, 0.0}, {2.0, 0.5}}, {0.3, 0.5}, {0.6, 0.4});
  Generator data_gen(1);
  const Tensor x0 = sample_mixture(gmm, 4000, data_gen);

  double min_label = 1e9, max_label = -1e9;
  const EpsModel zero = [&](const Variable& x, const Tensor& label) {
    min_label = std::min(min_label, tensor::amin(label).item());
    max_label = std::max(max_label, tensor::amax(label).item());
    return autograd::mul(x, 0.0);
  };
  Generator gen(2);
  const double zero_loss = sde_eps_loss(vp, zero, x0, gen).item();
  EXPECT_NEAR(zero_loss, 1.0, 0.05);  // mean of 8000 chi^2_1 / 1: std 0.016
  EXPECT_GE(min_label, 999.0 * vp.t_min() - 1e-3);
  EXPECT_LE(max_label, 999.0 + 1e-3);
  EXPECT_LT(min_label, 100.0);  // t spreads over (t_min, 1)
  EXPECT_GT(max_label, 900.0);

  Generator gen2(2);
  const double oracle_loss = sde_eps_loss(vp, gmm_eps_model(gmm, vp.kernel()), x0, gen2).item();
  EXPECT_LT(oracle_loss, 0.8 * zero_loss);

  // Gradient: eps_theta = w x with a learnable scalar w.
  Variable w(tensor::scalar(0.5), /*requires_grad=*/true);
  const EpsModel scaled = [&](const Variable& x, const Tensor&) { return autograd::mul(x, w); };
  Generator gen3(3);
  sde_eps_loss(vp, scaled, x0, gen3).backward();
  ASSERT_TRUE(w.grad().defined());
  EXPECT_NE(w.grad().item(), 0.0);
}

}  // namespace
}  // namespace diffusion
