// cuBLAS for the CUDA backend: the process's one handle, bound to the
// backend's stream, and gemm_row_major, the one call through which every CUDA
// kernel that multiplies matrices (gemm.cpp, conv.cpp) reaches cuBLAS.
// Host-only (C++, no kernels); see Note [Row-major GEMM on cuBLAS] in blas.cpp.
#pragma once
#include <cstdint>

#include "tensor/cuda/launch.h"

namespace tensor::cuda {

// float32 GEMMs may use TF32 tensor cores (10-bit mantissa inputs, float32
// accumulation): much faster, about 1e-3 relative error. Off by default so a
// CUDA run tracks the CPU to float32 rounding; float64 is never affected.
void set_allow_tf32(bool allow);
bool allow_tf32();

// One operand of a row-major GEMM: a rows x cols matrix stored row-major with
// leading dimension ld (transposed = false), or its transpose stored that way
// (transposed = true: the memory holds a cols x rows matrix, leading dim ld);
// batch_stride (elements) separates the matrices of a batch, 0 repeats one.
struct GemmOperand {
  const void* data;
  bool transposed;
  int64_t ld;
  int64_t batch_stride;
};

// For b = 0..batch-1: C_b (M, N) = A_b (M, K) @ B_b (K, N) + beta * C_b, all
// row-major, C_b at c + b * c_batch_stride with leading dim ldc; the dtype is
// Float32 or Float64 for all three. `op` names the caller in errors.
void gemm_row_major(ScalarType dtype, int64_t M, int64_t N, int64_t K, const GemmOperand& a, const GemmOperand& b,
                    double beta, void* c, int64_t ldc, int64_t c_batch_stride, int64_t batch, const char* op);

}  // namespace tensor::cuda
