// The Gaussian-mixture oracle (docs/math.md section 10) against independent
// routes to the same numbers: eps* from autograd's gradient of log p_t,
// Tweedie's formula for the posterior mean, closed forms for one Gaussian.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "autograd/ops.h"
#include "diffusion/metrics.h"
#include "diffusion/oracle.h"
#include "diffusion/schedule.h"
#include "tensor/ops.h"
#include "tensor/random.h"

using namespace diffusion;
namespace t = tensor;
namespace ag = autograd;

namespace {
GaussianMixture three_components() {
  return make_gaussian_mixture({{-1.5, 0.0}, {1.5, 0.5}, {0.0, 1.8}}, {0.15, 0.1, 0.2}, {0.5, 0.3, 0.2});
}
t::Tensor fill(int64_t n, double value) { return t::full({n}, value, t::DType::Float64); }
}  // namespace

// eps* = -b grad log p_t (10.4): the oracle's closed form (10.3) must equal
// the gradient autograd takes of log p_t (10.1).
TEST(Oracle, EpsIsScaledScoreOfLogDensity) {
  const GaussianMixture gmm = three_components();
  const Schedule sch = linear_schedule(1000);
  const EpsModel eps_model = gmm_eps_model(gmm, ddpm_kernel(sch));
  t::Generator gen(1);
  for (int64_t step : {1, 50, 300, 1000}) {
    const int64_t n = 64;
    const t::Tensor x = t::randn({n, 2}, gen, t::DType::Float64) * 2.0;
    const t::Tensor eps = eps_model(Variable(x), t::full({n}, static_cast<double>(step - 1))).data();
    Variable xv(x, true);
    ag::sum(log_density(gmm, xv, fill(n, sch.a(step)), fill(n, sch.b(step)))).backward();
    const t::Tensor expected = -sch.b(step) * xv.grad();
    EXPECT_LT(t::amax(t::abs(eps - expected)).item(), 1e-10) << "t = " << step;
  }
}

// log_prob (10.7) for one Gaussian is the textbook density.
TEST(Oracle, LogProbOfSingleGaussian) {
  const GaussianMixture gmm = make_gaussian_mixture({{1.0, -2.0}}, {0.5}, {1.0});
  const t::Tensor x = t::from_vector(std::vector<double>{1.0, -2.0, 2.0, 0.0}, {2, 2}, t::DType::Float64);
  const auto lp = log_prob(gmm, Variable(x)).data().to_vector<double>();
  const double norm = -std::log(2 * std::numbers::pi * 0.25);
  EXPECT_NEAR(lp[0], norm, 1e-12);
  EXPECT_NEAR(lp[1], norm - (1.0 + 4.0) / (2 * 0.25), 1e-12);
}

// Tweedie: E[x_0 | x_t] = (x_t + b^2 grad log p_t) / a, so (10.5) must agree
// with the score; and for one Gaussian (10.6) is s^2 b^2 / v I (10.8).
TEST(Oracle, PosteriorMomentsMatchTweedieAndClosedForm) {
  const GaussianMixture gmm = three_components();
  const Schedule sch = linear_schedule(1000);
  const EpsModel eps_model = gmm_eps_model(gmm, ddpm_kernel(sch));
  t::Generator gen(2);
  const int64_t n = 32;
  const int64_t step = 200;
  const double a = sch.a(step), b = sch.b(step);
  const t::Tensor x = t::randn({n, 2}, gen, t::DType::Float64);
  const t::Tensor eps = eps_model(Variable(x), t::full({n}, step - 1.0)).data();
  const t::Tensor tweedie = (x - b * eps) / a;  // score = -eps / b
  const t::Tensor mean = posterior_mean(gmm, x, fill(n, a), fill(n, b));
  EXPECT_LT(t::amax(t::abs(mean - tweedie)).item(), 1e-10);

  const GaussianMixture one = make_gaussian_mixture({{0.3, -0.2}}, {0.4}, {1.0});
  const t::Tensor cov = posterior_cov(one, x, fill(n, a), fill(n, b));
  ASSERT_EQ(cov.shape(), (t::Shape{n, 2, 2}));
  const double v = a * a * 0.16 + b * b;
  const auto c = cov.to_vector<double>();
  EXPECT_NEAR(c[0], 0.16 * b * b / v, 1e-12);
  EXPECT_NEAR(c[1], 0.0, 1e-12);
  EXPECT_NEAR(c[3], 0.16 * b * b / v, 1e-12);
  // Mixture covariance is symmetric and positive semi-definite (2x2: trace, det >= 0).
  const auto cm = posterior_cov(gmm, x, fill(n, a), fill(n, b)).to_vector<double>();
  for (int64_t i = 0; i < n; ++i) {
    const double* m = cm.data() + 4 * i;
    EXPECT_NEAR(m[1], m[2], 1e-12);
    EXPECT_GE(m[0] * m[3] - m[1] * m[2], -1e-12);
  }
}

TEST(Oracle, SamplingIsSeededAndHasTheRightWeights) {
  const GaussianMixture gmm = three_components();
  t::Generator g1(3), g2(3);
  t::Tensor comp;
  const t::Tensor x1 = sample_mixture(gmm, 20000, g1, t::DType::Float64, &comp);
  const t::Tensor x2 = sample_mixture(gmm, 20000, g2, t::DType::Float64);
  EXPECT_EQ(x1.to_vector<double>(), x2.to_vector<double>());
  const MixtureFit fit = mixture_fit(gmm, x1);
  EXPECT_LT(fit.max_weight_error, 0.01);  // standard error at n = 20000 is <= 0.0036
  EXPECT_LT(fit.max_mean_error, 0.01);
}

TEST(Oracle, JsonLoaderValidates) {
  const GaussianMixture gmm =
      parse_gaussian_mixture_json(R"({"means": [[0, 1], [2, 3]], "stds": [0.1, 0.2], "weights": [0.25, 0.75]})");
  EXPECT_EQ(gmm.K(), 2);
  EXPECT_EQ(gmm.d(), 2);
  auto expect_error = [](const std::string& text, const std::string& needle) {
    try {
      parse_gaussian_mixture_json(text);
      ADD_FAILURE() << "expected an error for " << text;
    } catch (const t::Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_error(R"({"means": [[0, 1]], "stds": [0.1], "weights": [0.9]})", "sum to 1");
  expect_error(R"({"means": [[0, 1]], "stds": [0.0], "weights": [1]})", "stds must be > 0");
  expect_error(R"({"means": [[0, 1], [2]], "stds": [0.1, 0.1], "weights": [0.5, 0.5]})", "mean 1 has 1 values");
  expect_error(R"({"means": [[0, 1]], "stds": [0.1, 0.2], "weights": [1]})", "stds must be (1,)");
  expect_error(R"({"means": [[0, 1]], "weights": [1]})", "missing key \"stds\"");
  expect_error(R"({"means": [[0, "a"]], "stds": [0.1], "weights": [1]})", "expected numbers");
  expect_error("{not json", "not valid JSON");
}
