// Schedules (docs/math.md section 1) against their closed forms, the timestep
// sub-sequences (1.6)-(1.8) and the forward marginal q(x_t | x_0) (1.2).
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "diffusion/schedule.h"
#include "diffusion/timesteps.h"
#include "tensor/ops.h"
#include "tensor/random.h"

using namespace diffusion;
namespace t = tensor;

TEST(Schedule, LinearMatchesClosedForm) {
  const Schedule sch = linear_schedule(1000);
  EXPECT_EQ(sch.T, 1000);
  ASSERT_EQ(sch.beta.size(), 1001u);
  EXPECT_DOUBLE_EQ(sch.beta[1], 1e-4);
  EXPECT_DOUBLE_EQ(sch.beta[1000], 0.02);
  EXPECT_NEAR(sch.beta[500], 1e-4 + 499 * (0.02 - 1e-4) / 999, 1e-15);
  // alpha_bar_T = prod (1 - beta_t), about 4.0358e-5 (docs/math.md section 1).
  EXPECT_NEAR(sch.alpha_bar[1000], 4.0358e-5, 1e-8);
  // The t = 0 convention.
  EXPECT_EQ(sch.alpha_bar[0], 1.0);
  EXPECT_EQ(sch.beta_tilde[0], 0.0);
  EXPECT_TRUE(std::isinf(sch.log_snr[0]));
}

TEST(Schedule, DerivedQuantitiesAgree) {
  const Schedule sch = linear_schedule(1000);
  double prod = 1.0;
  for (int64_t t = 1; t <= sch.T; ++t) {
    prod *= 1.0 - sch.beta[t];
    ASSERT_NEAR(sch.alpha_bar[t], prod, 1e-15);
    ASSERT_DOUBLE_EQ(sch.alpha[t], 1.0 - sch.beta[t]);
    // beta_tilde_t = beta_t (1 - alpha_bar_{t-1}) / (1 - alpha_bar_t)
    ASSERT_NEAR(sch.beta_tilde[t], sch.beta[t] * (1 - sch.alpha_bar[t - 1]) / (1 - sch.alpha_bar[t]), 1e-15);
    ASSERT_NEAR(sch.log_snr[t], std::log(sch.alpha_bar[t] / (1 - sch.alpha_bar[t])), 1e-9);
    ASSERT_NEAR(sch.a(t) * sch.a(t) + sch.b(t) * sch.b(t), 1.0, 1e-15);
  }
  EXPECT_EQ(sch.beta_tilde[1], 0.0);  // q(x_0 | x_1, x_0) is a point mass
  // log SNR decreases monotonically.
  for (int64_t t = 2; t <= sch.T; ++t) ASSERT_LT(sch.log_snr[t], sch.log_snr[t - 1]);
}

TEST(Schedule, JumpQuantitiesReduceToPerStep) {
  const Schedule sch = cosine_schedule(1000);
  for (int64_t t : {1, 2, 500, 1000}) {
    EXPECT_NEAR(sch.alpha_jump(t, t - 1), sch.alpha[t], 1e-12);
    EXPECT_NEAR(sch.beta_jump(t, t - 1), sch.beta[t], 1e-12);
    EXPECT_NEAR(sch.beta_tilde_jump(t - 1, t), sch.beta_tilde[t], 1e-12);
  }
  // Jumps compose: alpha_{t|s} = alpha_{t|u} alpha_{u|s}.
  EXPECT_NEAR(sch.alpha_jump(900, 100), sch.alpha_jump(900, 400) * sch.alpha_jump(400, 100), 1e-12);
  EXPECT_THROW(sch.alpha_jump(100, 100), t::Error);
}

TEST(Schedule, CosineMatchesFormula) {
  const int64_t T = 1000;
  const double s = 0.008;
  const Schedule sch = cosine_schedule(T, s);
  auto f = [&](double t) {
    const double c = std::cos((t / T + s) / (1 + s) * std::numbers::pi / 2);
    return c * c;
  };
  // Before the 0.999 clip bites (only at the very end), alpha_bar_t = f(t)/f(0).
  for (int64_t t : {1, 10, 250, 500, 750, 990}) EXPECT_NEAR(sch.alpha_bar[t], f(t) / f(0), 1e-12) << "t = " << t;
  EXPECT_DOUBLE_EQ(sch.beta[T], 0.999);  // f(T) = 0 would give beta_T = 1
  for (int64_t t = 1; t <= T; ++t) ASSERT_LE(sch.beta[t], 0.999);
}

TEST(Schedule, BlogSchedule) {
  const Schedule sch = blog_schedule(1000);
  EXPECT_DOUBLE_EQ(sch.beta[1], 0.02 / 1000);
  EXPECT_DOUBLE_EQ(sch.beta[1000], 0.02);
  EXPECT_NEAR(sch.beta[250], 0.005, 1e-15);
}

TEST(Schedule, RejectsBadInput) {
  EXPECT_THROW(schedule_from_betas({0.1, 0.0}), t::Error);
  EXPECT_THROW(schedule_from_betas({1.5}), t::Error);
  EXPECT_THROW(make_schedule("sigmoid"), t::Error);
}

TEST(Schedule, DdpmKernelMapsLabels) {
  const Schedule sch = linear_schedule(1000);
  const KernelFn kernel = ddpm_kernel(sch);
  auto [a, b] = kernel(t::from_list({-1, 0, 499, 999}));
  EXPECT_EQ(a.dtype(), t::DType::Float64);
  const auto av = a.to_vector<double>();
  const auto bv = b.to_vector<double>();
  EXPECT_EQ(av[0], 1.0);
  EXPECT_EQ(bv[0], 0.0);
  EXPECT_DOUBLE_EQ(av[1], std::sqrt(sch.alpha_bar[1]));
  EXPECT_DOUBLE_EQ(av[2], std::sqrt(sch.alpha_bar[500]));
  EXPECT_DOUBLE_EQ(bv[3], std::sqrt(1 - sch.alpha_bar[1000]));
  EXPECT_THROW(kernel(t::from_list({0.5})), t::Error);
  EXPECT_THROW(kernel(t::from_list({1000})), t::Error);
}

TEST(Timesteps, RoundHalfEven) {
  EXPECT_EQ(round_half_even(1, 2), 0);
  EXPECT_EQ(round_half_even(3, 2), 2);
  EXPECT_EQ(round_half_even(5, 2), 2);
  EXPECT_EQ(round_half_even(7, 3), 2);
  EXPECT_EQ(round_half_even(8, 3), 3);
}

TEST(Timesteps, EvenTrajectory) {
  const auto tau = even_timesteps(1000, 25);
  ASSERT_EQ(tau.size(), 25u);
  EXPECT_EQ(tau.front(), 1);
  EXPECT_EQ(tau.back(), 1000);
  // docs/math.md (9.4): k = 13 gives round(500.5) = 500 (Python), where std::round says 501.
  EXPECT_EQ(tau[12], 500);
  // The whole sequence as Python prints [round(1 + (k-1)*999/24) for k in range(1, 26)].
  EXPECT_EQ(tau, (std::vector<int64_t>{1,   43,  84,  126, 168, 209, 251, 292, 334, 376, 417, 459, 500,
                                       542, 584, 625, 667, 709, 750, 792, 834, 875, 917, 958, 1000}));
  const auto ten = even_timesteps(1000, 10);
  EXPECT_EQ(ten, (std::vector<int64_t>{1, 112, 223, 334, 445, 556, 667, 778, 889, 1000}));
  EXPECT_EQ(even_timesteps(1000, 1000), all_timesteps(1000));
  EXPECT_EQ(even_timesteps(1000, 1), std::vector<int64_t>{1000});
}

TEST(Timesteps, UniformAndQuadratic) {
  const auto uni = uniform_timesteps(1000, 10);
  EXPECT_EQ(uni, (std::vector<int64_t>{1, 101, 201, 301, 401, 501, 601, 701, 801, 901}));
  // DDIM's code: (linspace(0, sqrt(0.8 T), K)^2).astype(int) + 1
  const auto quad = quadratic_timesteps(1000, 10);
  ASSERT_EQ(quad.size(), 10u);
  EXPECT_EQ(quad.front(), 1);
  EXPECT_EQ(quad[1], 1 + static_cast<int64_t>(std::floor(800.0 / 81.0)));  // (sqrt(800)/9)^2 = 9.87 -> 9
  EXPECT_EQ(quad.back(), 801);  // sqrt(800)^2 is 800.0000000000001 in float64, as in NumPy
  const auto dense = quadratic_timesteps(1000, 900);  // duplicates removed
  for (size_t i = 1; i < dense.size(); ++i) ASSERT_GT(dense[i], dense[i - 1]);
  EXPECT_LT(dense.size(), 900u);
  EXPECT_THROW(even_timesteps(10, 11), t::Error);
  EXPECT_THROW(check_timesteps({1, 5, 5}, 10, "test"), t::Error);
}

// q(x_t | x_0) = N(a_t x_0, b_t^2 I) (1.2), checked empirically by running the
// one-step chain (1.1) from x_0 and comparing mean and variance at several t.
TEST(ForwardProcess, ChainMatchesMarginal) {
  const Schedule sch = linear_schedule(1000);
  t::Generator gen(7);
  const int64_t n = 20000;
  const double x0 = 1.5;
  t::Tensor x = t::full({n}, x0, t::DType::Float64);
  for (int64_t step = 1; step <= 600; ++step) {
    // docs/math.md (1.1): x_t = sqrt(alpha_t) x_{t-1} + sqrt(beta_t) eps
    x = std::sqrt(sch.alpha[step]) * x + std::sqrt(sch.beta[step]) * t::randn({n}, gen, t::DType::Float64);
    if (step == 50 || step == 300 || step == 600) {
      const double mean = t::mean(x).item();
      const double var = t::var(x).item();
      // Standard errors at n = 20000: mean b/141, variance b^2 * 0.01; allow about 4 of them.
      EXPECT_NEAR(mean, sch.a(step) * x0, 4 * sch.b(step) / std::sqrt(n)) << "t = " << step;
      EXPECT_NEAR(var, 1 - sch.alpha_bar[step], 4 * 0.01 * (1 - sch.alpha_bar[step])) << "t = " << step;
    }
  }
}

TEST(Schedule, TablesIndexedBySteps) {
  const Schedule sch = cosine_schedule(50);
  const ScheduleTables tables = schedule_tables(sch, tensor::Device::CPU);
  ASSERT_EQ(tables.a.shape(), (tensor::Shape{51}));
  EXPECT_EQ(tables.a.device(), tensor::Device::CPU);
  // index_select by a batch of steps gives each sample's coefficients, bit for bit.
  const tensor::Tensor steps = tensor::from_vector(std::vector<int64_t>{1, 50, 7, 7, 0}, {5});
  const std::vector<double> a = tensor::index_select(tables.a, 0, steps).to_vector<double>();
  const std::vector<double> b = tensor::index_select(tables.b, 0, steps).to_vector<double>();
  const std::vector<double> ab = tensor::index_select(tables.alpha_bar, 0, steps).to_vector<double>();
  const std::vector<int64_t> s = steps.to_vector<int64_t>();
  for (size_t i = 0; i < s.size(); ++i) {
    EXPECT_EQ(a[i], sch.a(s[i]));
    EXPECT_EQ(b[i], sch.b(s[i]));
    EXPECT_EQ(ab[i], sch.alpha_bar[s[i]]);
  }
}
