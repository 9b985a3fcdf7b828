// The Frechet distance of docs/math.md (11.3) (diffusion/metrics.h): zero for
// equal statistics, the closed forms for diagonal and 2x2 covariances, a
// numpy value for non-commuting ones (tests/fixtures/make_frechet_fixture.py),
// and the unbiased feature statistics it is fed.
#include <gtest/gtest.h>

#include <cmath>

#include "diffusion/metrics.h"
#include "error_util.h"
#include "tensor/ops.h"
#include "tensor/random.h"

using diffusion::feature_statistics;
using diffusion::FeatureStatistics;
using diffusion::frechet_distance;
namespace t = tensor;

namespace {

t::Tensor f64(const std::vector<double>& values, const t::Shape& shape) {
  return t::from_vector(values, shape, t::DType::Float64);
}

t::Tensor diagonal(const std::vector<double>& values) {
  const int64_t d = static_cast<int64_t>(values.size());
  std::vector<double> m(d * d, 0.0);
  for (int64_t i = 0; i < d; ++i) m[i * d + i] = values[i];
  return f64(m, {d, d});
}

}  // namespace

TEST(FrechetDistance, ZeroForEqualStatistics) {
  t::Generator gen(3);
  const FeatureStatistics s = feature_statistics(t::randn({500, 128}, gen));
  const double trace = t::sum(t::square(s.mean)).item() + 128.0;  // the size of the terms that cancel
  EXPECT_NEAR(frechet_distance(s, s), 0.0, 1e-10 * trace);
}

TEST(FrechetDistance, DiagonalCovariancesMatchTheClosedForm) {
  // Commuting (diagonal) covariances: Tr(S1 + S2 - 2 (S1 S2)^{1/2}) = sum (sqrt a - sqrt b)^2.
  const std::vector<double> a = {4.0, 1.0, 0.25, 9.0}, b = {1.0, 1.0, 4.0, 0.0};
  const t::Tensor mu1 = f64({1, 2, 3, 4}, {4}), mu2 = f64({0, 2, 5, 4}, {4});
  double expected = 1.0 + 4.0;  // ||mu1 - mu2||^2
  for (size_t i = 0; i < a.size(); ++i) expected += std::pow(std::sqrt(a[i]) - std::sqrt(b[i]), 2);
  EXPECT_NEAR(frechet_distance(mu1, diagonal(a), mu2, diagonal(b)), expected, 1e-12);
  EXPECT_NEAR(expected, 5.0 + 1.0 + 0.0 + 2.25 + 9.0, 1e-12);  // the arithmetic, spelled out
}

TEST(FrechetDistance, TwoByTwoNonCommutingMatchesTheHandFormula) {
  // For 2x2 PSD M with eigenvalues m1, m2: (sqrt m1 + sqrt m2)^2 = Tr M + 2 sqrt(det M).
  // With M = S1 S2: Tr (S1 S2)^{1/2} = sqrt(Tr(S1 S2) + 2 sqrt(det S1 det S2)).
  // S1 = [[2, 1], [1, 2]], S2 = [[1, 0], [0, 3]]: Tr(S1 S2) = 2 + 6 = 8, det S1 det S2 = 3 * 3,
  // so Tr (S1 S2)^{1/2} = sqrt(14) and FD = 4 + 4 - 2 sqrt(14) + ||(1, -2)||^2.
  const t::Tensor S1 = f64({2, 1, 1, 2}, {2, 2}), S2 = f64({1, 0, 0, 3}, {2, 2});
  ASSERT_GT(t::amax(t::abs(t::matmul(S1, S2) - t::matmul(S2, S1))).item(), 0.5);  // they do not commute
  const double expected = 8.0 - 2.0 * std::sqrt(14.0) + 5.0;
  EXPECT_NEAR(frechet_distance(f64({1, 0}, {2}), S1, f64({0, 2}, {2}), S2), expected, 1e-13);
  // The formula is not symmetric in form, but the distance is.
  EXPECT_NEAR(frechet_distance(f64({0, 2}, {2}), S2, f64({1, 0}, {2}), S1), expected, 1e-13);
}

TEST(FrechetDistance, MatchesNumpyForNonCommutingCovariances) {
  // tests/fixtures/make_frechet_fixture.py: numpy, from the eigenvalues of cov1 @ cov2.
  constexpr double kNumpyFrechet = 4.299498970192234;
  const t::Tensor cov1 = f64({4.0, 1.0, 0.5, 1.0, 3.0, -0.7, 0.5, -0.7, 2.0}, {3, 3});
  const t::Tensor cov2 = f64({1.0, -0.4, 0.0, -0.4, 2.5, 0.9, 0.0, 0.9, 1.2}, {3, 3});
  const t::Tensor mean1 = f64({0.5, -1.0, 2.0}, {3}), mean2 = f64({0.0, 0.25, 1.5}, {3});
  EXPECT_NEAR(frechet_distance(mean1, cov1, mean2, cov2), kNumpyFrechet, 1e-12);
}

TEST(FrechetDistance, SingularCovariancesAndGrowthWithShift) {
  // Fewer samples (20) than features (64): rank-deficient covariances still give a finite, >= 0 distance.
  t::Generator gen(11);
  const FeatureStatistics a = feature_statistics(t::randn({20, 64}, gen, t::DType::Float64));
  const FeatureStatistics b = feature_statistics(t::randn({20, 64}, gen, t::DType::Float64));
  const double fd = frechet_distance(a, b);
  EXPECT_TRUE(std::isfinite(fd));
  EXPECT_GT(fd, 0.0);
  // A shift c of the mean adds exactly ||c||^2.
  const FeatureStatistics shifted{a.mean + 0.5, a.cov};
  EXPECT_NEAR(frechet_distance(shifted, b) - fd, 0.25 * 64 + 2 * t::sum((a.mean - b.mean) * 0.5).item(), 1e-9);
}

TEST(FeatureStatistics, UnbiasedMeanAndCovariance) {
  // Rows (0, 0), (2, 0), (1, 3): mean (1, 1); deviations (-1, -1), (1, -1), (0, 2).
  // Sums of products: xx = 2, xy = 0, yy = 6; over N - 1 = 2: [[1, 0], [0, 3]].
  const FeatureStatistics s = feature_statistics(f64({0, 0, 2, 0, 1, 3}, {3, 2}));
  EXPECT_EQ(s.mean.dtype(), t::DType::Float64);
  EXPECT_EQ(s.mean.to_vector<double>(), (std::vector<double>{1, 1}));
  const std::vector<double> cov = s.cov.to_vector<double>();
  const std::vector<double> expected = {1, 0, 0, 3};
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(cov[i], expected[i], 1e-15) << i;
}

TEST(FrechetDistance, ErrorsNameTheShapes) {
  const std::string one_row = tensor_test::error_of([] { feature_statistics(t::zeros({1, 4})); });
  EXPECT_TRUE(tensor_test::contains(one_row, "[feature_statistics]")) << one_row;
  const std::string sizes = tensor_test::error_of(
      [] { frechet_distance(t::zeros({3}), t::zeros({3, 3}), t::zeros({4}), t::zeros({4, 4})); });
  EXPECT_TRUE(tensor_test::contains(sizes, "[frechet_distance]")) << sizes;
  EXPECT_TRUE(tensor_test::contains(sizes, "(3,)") && tensor_test::contains(sizes, "(4,)")) << sizes;
  const std::string cov = tensor_test::error_of(
      [] { frechet_distance(t::zeros({3}), t::zeros({3, 2}), t::zeros({3}), t::zeros({3, 3})); });
  EXPECT_TRUE(tensor_test::contains(cov, "(3, 2)")) << cov;
}
