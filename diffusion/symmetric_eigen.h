// The eigendecomposition of a real symmetric matrix, A = V diag(lambda) V^T,
// by the cyclic Jacobi method in float64: what the Frechet distance of
// docs/math.md (11.3) needs for its matrix square roots (metrics.h). Not an op:
// no kernel dispatch, no gradient, CPU only.
//
// Why it lives in diffusion/ and not tensor/: a tensor/ op comes with a
// front-end, a kernel per backend and a backward rule (STYLE.md habit 2);
// this is plain float64 loops for one metric. It uses nothing but tensor's
// API, so it can move down unchanged the day a lower layer needs it.
#pragma once
#include "tensor/tensor.h"

namespace diffusion {

// Shapes: d the matrix size.
struct SymmetricEigen {
  tensor::Tensor values;   // (d) float64, ascending (as numpy.linalg.eigh)
  tensor::Tensor vectors;  // (d, d) float64, column i the unit eigenvector of values[i]
};

// A must be (d, d) and symmetric (|a_ij - a_ji| <= 1e-8 max|a|; the two are
// averaged); any float dtype. Sweeps until the off-diagonal mass is below
// 1e-15 of the matrix's norm (typically 6-10 sweeps for d = 128); throws
// tensor::Error if 100 sweeps do not get there.
SymmetricEigen symmetric_eigen(const tensor::Tensor& A);

}  // namespace diffusion
