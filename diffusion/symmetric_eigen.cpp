// Cyclic Jacobi eigensolver (see symmetric_eigen.h). Each rotation J in the
// (p, q) plane is chosen so that (J^T A J)_pq = 0; a sweep visits every pair
// p < q once, and the off-diagonal mass falls quadratically once it is small
// (Golub and Van Loan, Matrix Computations, section 8.5; the update formulas
// are those of Numerical Recipes' jacobi, which avoid cancellation).
#include "diffusion/symmetric_eigen.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "tensor/ops.h"

namespace diffusion {
namespace {

constexpr int kMaxSweeps = 100;
constexpr double kSymmetryTolerance = 1e-8;  // relative to max |a_ij|
constexpr double kConvergence = 1e-15;       // off-diagonal norm relative to ||A||_F

// Row-major d x d matrix of doubles.
struct Matrix {
  int64_t d;
  std::vector<double> a;
  double& operator()(int64_t i, int64_t j) { return a[i * d + j]; }
  double operator()(int64_t i, int64_t j) const { return a[i * d + j]; }
};

double off_diagonal_squared(const Matrix& A) {
  double off = 0.0;
  for (int64_t p = 0; p < A.d; ++p)
    for (int64_t q = p + 1; q < A.d; ++q) off += 2.0 * A(p, q) * A(p, q);
  return off;
}

// Applies A <- J^T A J and V <- V J for the rotation that zeroes A(p, q).
void rotate(Matrix& A, Matrix& V, int64_t p, int64_t q) {
  const double apq = A(p, q);
  const double theta = (A(q, q) - A(p, p)) / (2.0 * apq);
  // t = tan(angle), the smaller root of t^2 + 2 theta t - 1 = 0 (|angle| <= pi/4,
  // which is what makes the sweeps converge); 1 / (2 theta) once theta^2 would overflow.
  const double t = std::abs(theta) > 1e150 ? 1.0 / (2.0 * theta)
                                          : std::copysign(1.0, theta) / (std::abs(theta) + std::sqrt(theta * theta + 1.0));
  const double c = 1.0 / std::sqrt(t * t + 1.0);
  const double s = t * c;
  A(p, p) -= t * apq;
  A(q, q) += t * apq;
  A(p, q) = A(q, p) = 0.0;
  for (int64_t k = 0; k < A.d; ++k) {
    if (k != p && k != q) {
      const double akp = A(k, p), akq = A(k, q);
      A(k, p) = A(p, k) = c * akp - s * akq;
      A(k, q) = A(q, k) = s * akp + c * akq;
    }
    const double vkp = V(k, p), vkq = V(k, q);
    V(k, p) = c * vkp - s * vkq;
    V(k, q) = s * vkp + c * vkq;
  }
}

}  // namespace

SymmetricEigen symmetric_eigen(const tensor::Tensor& input) {
  TENSOR_CHECK(input.dim() == 2 && input.size(0) == input.size(1) && input.size(0) > 0,
               "[symmetric_eigen] needs a square (d, d) matrix, got {}", tensor::shape_str(input.shape()));
  const int64_t d = input.size(0);
  const std::vector<double> given = input.to(tensor::DType::Float64).contiguous().to_vector<double>();
  Matrix A{d, given};
  double largest = 0.0, norm_squared = 0.0;
  for (double v : given) {
    largest = std::max(largest, std::abs(v));
    norm_squared += v * v;
  }
  for (int64_t i = 0; i < d; ++i)
    for (int64_t j = i + 1; j < d; ++j) {
      TENSOR_CHECK(std::abs(A(i, j) - A(j, i)) <= kSymmetryTolerance * largest,
                   "[symmetric_eigen] matrix {} is not symmetric: a[{},{}] = {} but a[{},{}] = {}",
                   tensor::shape_str(input.shape()), i, j, A(i, j), j, i, A(j, i));
      A(i, j) = A(j, i) = 0.5 * (A(i, j) + A(j, i));
    }

  Matrix V{d, std::vector<double>(d * d, 0.0)};
  for (int64_t i = 0; i < d; ++i) V(i, i) = 1.0;
  const double target = kConvergence * kConvergence * norm_squared;
  int sweeps = 0;
  for (; sweeps < kMaxSweeps && off_diagonal_squared(A) > target; ++sweeps)
    for (int64_t p = 0; p < d; ++p)
      for (int64_t q = p + 1; q < d; ++q)
        if (A(p, q) != 0.0) rotate(A, V, p, q);
  TENSOR_CHECK(off_diagonal_squared(A) <= target, "[symmetric_eigen] no convergence in {} sweeps for a {} matrix",
               kMaxSweeps, tensor::shape_str(input.shape()));

  // Ascending order, the vectors' columns moved with their values.
  std::vector<int64_t> order(d);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int64_t i, int64_t j) { return A(i, i) < A(j, j); });
  std::vector<double> values(d), vectors(d * d);
  for (int64_t i = 0; i < d; ++i) {
    values[i] = A(order[i], order[i]);
    for (int64_t k = 0; k < d; ++k) vectors[k * d + i] = V(k, order[i]);
  }
  return {tensor::from_vector(values, {d}, tensor::DType::Float64),
          tensor::from_vector(vectors, {d, d}, tensor::DType::Float64)};
}

}  // namespace diffusion
