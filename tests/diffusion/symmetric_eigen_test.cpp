// The Jacobi eigensolver (diffusion/symmetric_eigen.h): decompositions known
// by hand, then random symmetric matrices up to the metric's size, checked by
// reconstruction A = V diag(lambda) V^T and orthogonality V^T V = I.
#include <gtest/gtest.h>

#include <cmath>

#include "diffusion/symmetric_eigen.h"
#include "error_util.h"
#include "tensor/ops.h"
#include "tensor/random.h"

using diffusion::symmetric_eigen;
using diffusion::SymmetricEigen;
namespace t = tensor;

namespace {

double max_abs(const t::Tensor& x) { return t::amax(t::abs(x)).item(); }

t::Tensor identity(int64_t d) {
  std::vector<double> v(d * d, 0.0);
  for (int64_t i = 0; i < d; ++i) v[i * d + i] = 1.0;
  return t::from_vector(v, {d, d}, t::DType::Float64);
}

// A random symmetric (d, d) matrix (B + B^T) / 2.
t::Tensor random_symmetric(int64_t d, uint64_t seed) {
  t::Generator gen(seed);
  const t::Tensor B = t::randn({d, d}, gen, t::DType::Float64);
  return (B + B.t()) * 0.5;
}

// A covariance-like B B^T / k with B (d, k): positive semi-definite, of rank min(d, k).
t::Tensor random_psd(int64_t d, int64_t k, uint64_t seed) {
  t::Generator gen(seed);
  const t::Tensor B = t::randn({d, k}, gen, t::DType::Float64);
  return t::matmul(B, B.t()) / static_cast<double>(k);
}

void expect_decomposes(const t::Tensor& A, double tolerance) {
  const SymmetricEigen eig = symmetric_eigen(A);
  const int64_t d = A.size(0);
  ASSERT_EQ(eig.values.shape(), t::Shape({d}));
  ASSERT_EQ(eig.vectors.shape(), t::Shape({d, d}));
  const t::Tensor& V = eig.vectors;
  EXPECT_LE(max_abs(t::matmul(V * eig.values, V.t()) - A), tolerance * max_abs(A)) << "A != V diag V^T, d = " << d;
  EXPECT_LE(max_abs(t::matmul(V.t(), V) - identity(d)), tolerance) << "V is not orthogonal, d = " << d;
  const std::vector<double> values = eig.values.to_vector<double>();
  for (size_t i = 1; i < values.size(); ++i) EXPECT_LE(values[i - 1], values[i]) << "not ascending at " << i;
}

}  // namespace

TEST(SymmetricEigen, KnownTwoByTwo) {
  // [[2, 1], [1, 2]]: eigenvalues 1 and 3, eigenvectors (1, -1)/sqrt2 and (1, 1)/sqrt2.
  const SymmetricEigen eig = symmetric_eigen(t::from_vector(std::vector<double>{2, 1, 1, 2}, {2, 2}, t::DType::Float64));
  const std::vector<double> values = eig.values.to_vector<double>();
  EXPECT_NEAR(values[0], 1.0, 1e-15);
  EXPECT_NEAR(values[1], 3.0, 1e-15);
  const std::vector<double> V = eig.vectors.to_vector<double>();  // row-major, column i is vector i
  const double r = 1.0 / std::sqrt(2.0);
  // An eigenvector's sign is arbitrary: compare up to it.
  EXPECT_NEAR(std::abs(V[0]), r, 1e-15);
  EXPECT_NEAR(V[0] + V[2], 0.0, 1e-15);  // (1, -1) direction
  EXPECT_NEAR(std::abs(V[1]), r, 1e-15);
  EXPECT_NEAR(V[1] - V[3], 0.0, 1e-15);  // (1, 1) direction
}

TEST(SymmetricEigen, KnownRotatedDiagonal) {
  // A = Q diag(-2, 0.5, 7) Q^T with Q a rotation about the z axis by 30 degrees,
  // then about x by 45: the eigenvalues come back exactly, whatever Q is.
  const double c = std::cos(M_PI / 6), s = std::sin(M_PI / 6), h = 1.0 / std::sqrt(2.0);
  const t::Tensor Rz = t::from_vector(std::vector<double>{c, -s, 0, s, c, 0, 0, 0, 1}, {3, 3}, t::DType::Float64);
  const t::Tensor Rx = t::from_vector(std::vector<double>{1, 0, 0, 0, h, -h, 0, h, h}, {3, 3}, t::DType::Float64);
  const t::Tensor Q = t::matmul(Rx, Rz);
  const t::Tensor lambda = t::from_vector(std::vector<double>{-2, 0.5, 7}, {3}, t::DType::Float64);
  const t::Tensor A = t::matmul(Q * lambda, Q.t());
  const std::vector<double> values = symmetric_eigen(A).values.to_vector<double>();
  EXPECT_NEAR(values[0], -2.0, 1e-14);
  EXPECT_NEAR(values[1], 0.5, 1e-14);
  EXPECT_NEAR(values[2], 7.0, 1e-14);
  expect_decomposes(A, 1e-14);
}

TEST(SymmetricEigen, DiagonalAndZeroMatricesNeedNoRotation) {
  const t::Tensor D = t::from_vector(std::vector<double>{3, 0, 0, 0, -1, 0, 0, 0, 2}, {3, 3}, t::DType::Float64);
  const SymmetricEigen eig = symmetric_eigen(D);
  EXPECT_EQ(eig.values.to_vector<double>(), (std::vector<double>{-1, 2, 3}));
  expect_decomposes(D, 0.0);
  const SymmetricEigen zero = symmetric_eigen(t::zeros({4, 4}, t::DType::Float64));
  EXPECT_EQ(max_abs(zero.values), 0.0);
  EXPECT_EQ(max_abs(zero.vectors - identity(4)), 0.0);
}

TEST(SymmetricEigen, RandomSymmetricMatricesUpToTheFeatureWidth) {
  for (int64_t d : {1, 2, 5, 17, 64, 128}) expect_decomposes(random_symmetric(d, 100 + d), 1e-12);
}

TEST(SymmetricEigen, CovarianceLikeMatricesIncludingSingularOnes) {
  expect_decomposes(random_psd(128, 1000, 7), 1e-12);
  // Rank 20 of 64 (fewer samples than features): 44 eigenvalues are 0 up to round-off.
  const t::Tensor A = random_psd(64, 20, 8);
  expect_decomposes(A, 1e-12);
  const std::vector<double> values = symmetric_eigen(A).values.to_vector<double>();
  for (int i = 0; i < 44; ++i) EXPECT_NEAR(values[i], 0.0, 1e-12) << i;
  EXPECT_GT(values[44], 1e-3);
  // The trace is the sum of the eigenvalues.
  double sum = 0;
  for (double v : values) sum += v;
  EXPECT_NEAR(sum, t::sum(A * identity(64)).item(), 1e-11);
}

TEST(SymmetricEigen, Float32InputAndErrors) {
  const SymmetricEigen eig = symmetric_eigen(t::from_vector(std::vector<float>{2, 1, 1, 2}, {2, 2}));
  EXPECT_EQ(eig.values.dtype(), t::DType::Float64);
  EXPECT_NEAR(eig.values.to_vector<double>()[1], 3.0, 1e-12);
  const std::string not_square = tensor_test::error_of([] { symmetric_eigen(t::zeros({2, 3})); });
  EXPECT_TRUE(tensor_test::contains(not_square, "[symmetric_eigen]")) << not_square;
  EXPECT_TRUE(tensor_test::contains(not_square, "(2, 3)")) << not_square;
  const std::string asymmetric = tensor_test::error_of(
      [] { symmetric_eigen(t::from_vector(std::vector<double>{1, 2, 0, 1}, {2, 2}, t::DType::Float64)); });
  EXPECT_TRUE(tensor_test::contains(asymmetric, "not symmetric")) << asymmetric;
}
