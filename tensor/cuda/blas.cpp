// The cuBLAS handle and the row-major GEMM of blas.h.
//
// Note [Row-major GEMM on cuBLAS]:
// cuBLAS reads matrices column-major; our tensors are row-major. A row-major
// R x C matrix with leading dim ld is, byte for byte, the column-major C x R
// matrix (its transpose) with the same ld. So the row-major product
// C = A @ B is computed as the column-major product C^T = B^T @ A^T: swap the
// operands and the M/N sizes, keep every leading dim, and pass each operand's
// "transposed" flag as its cuBLAS op. cuBLAS's ld >= rows rule, in these
// terms, is the test blas_layout applies in gemm.cpp (and the CPU's gemm.cpp).
#include "tensor/cuda/blas.h"

#include <cublas_v2.h>

#include <algorithm>
#include <atomic>
#include <limits>

#include "tensor/error.h"

namespace tensor::cuda {
namespace {

std::atomic<bool> g_allow_tf32{false};

void check_cublas(cublasStatus_t status, const char* op) {
  if (status != CUBLAS_STATUS_SUCCESS) throw_cuda_error(op, static_cast<int>(status), cublasGetStatusString(status));
}

void apply_math_mode(cublasHandle_t handle) {
  check_cublas(cublasSetMathMode(handle, g_allow_tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH),
               "cublasSetMathMode");
}

// Created on first use and never destroyed: destroying it from a static
// destructor could run after the CUDA runtime has shut down. Its workspace is
// allocated here, once, so that no GEMM allocates device memory later (a
// CUDA-graph capture forbids it). 32 MiB is what cuBLAS's documentation
// recommends for Hopper. The handle is not thread-safe: the backend issues
// its work from one host thread (Note [Threads] in tensor/cpu/parallel.h
// concerns the CPU kernels only).
cublasHandle_t handle() {
  static cublasHandle_t h = [] {
    cublasHandle_t created = nullptr;
    check_cublas(cublasCreate(&created), "cublasCreate");
    check_cublas(cublasSetStream(created, stream()), "cublasSetStream");
    constexpr size_t kWorkspaceBytes = size_t(32) << 20;
    void* workspace = nullptr;
    DIFFUSE_CUDA_CHECK(cudaMalloc(&workspace, kWorkspaceBytes), "cublas workspace");
    check_cublas(cublasSetWorkspace(created, workspace, kWorkspaceBytes), "cublasSetWorkspace");
    apply_math_mode(created);
    return created;
  }();
  return h;
}

int to_int(int64_t v, const char* op, const char* what) {
  TENSOR_CHECK(v <= std::numeric_limits<int>::max(), "[{}] {} = {} exceeds cuBLAS's 32-bit sizes", op, what, v);
  return static_cast<int>(v);
}

cublasOperation_t op_of(const GemmOperand& x) { return x.transposed ? CUBLAS_OP_T : CUBLAS_OP_N; }

}  // namespace

void set_allow_tf32(bool allow) {
  g_allow_tf32 = allow;
  apply_math_mode(handle());
}

bool allow_tf32() { return g_allow_tf32; }

void gemm_row_major(ScalarType dtype, int64_t M, int64_t N, int64_t K, const GemmOperand& a, const GemmOperand& b,
                    double beta, void* c, int64_t ldc, int64_t c_batch_stride, int64_t batch, const char* op) {
  if (M == 0 || N == 0 || batch == 0) return;
  const int m = to_int(N, op, "N"), n = to_int(M, op, "M"), k = to_int(K, op, "K");
  const int lda = to_int(a.ld, op, "lda"), ldb = to_int(b.ld, op, "ldb"), ldcc = to_int(ldc, op, "ldc");
  // Batches are issued in pieces of at most 65535 matrices, the grid limit
  // some cuBLAS kernels put the batch on.
  constexpr int64_t kMaxBatch = 65535;
  for (int64_t first = 0; first < batch; first += kMaxBatch) {
    const int count = static_cast<int>(std::min(kMaxBatch, batch - first));
    if (dtype == ScalarType::Float32) {
      const float alpha = 1.0f, beta_t = static_cast<float>(beta);
      check_cublas(
          cublasSgemmStridedBatched(
              handle(), op_of(b), op_of(a), m, n, k, &alpha, static_cast<const float*>(b.data) + first * b.batch_stride,
              ldb, b.batch_stride, static_cast<const float*>(a.data) + first * a.batch_stride, lda, a.batch_stride,
              &beta_t, static_cast<float*>(c) + first * c_batch_stride, ldcc, c_batch_stride, count),
          op);
    } else {
      TENSOR_CHECK(dtype == ScalarType::Float64, "[{}] cuBLAS GEMM needs float32 or float64", op);
      const double alpha = 1.0;
      check_cublas(cublasDgemmStridedBatched(
                       handle(), op_of(b), op_of(a), m, n, k, &alpha,
                       static_cast<const double*>(b.data) + first * b.batch_stride, ldb, b.batch_stride,
                       static_cast<const double*>(a.data) + first * a.batch_stride, lda, a.batch_stride, &beta,
                       static_cast<double*>(c) + first * c_batch_stride, ldcc, c_batch_stride, count),
                   op);
    }
  }
}

}  // namespace tensor::cuda
