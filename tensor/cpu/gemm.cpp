// CPU matmul: each matrix of the batch goes to OpenBLAS's sgemm/dgemm,
// read in place (no copy) whenever one of its two dims has unit stride:
// a transposed view is passed as a transposed operand. The products are cut
// into fixed tiles, one single-threaded BLAS call each, spread over the
// threads (Note [Same bits for any thread count] in parallel.h).
#include "tensor/cpu/blas.h"
#include "tensor/cpu/kernels.h"
#include "tensor/cpu/parallel.h"

namespace tensor::cpu {
namespace {

// How BLAS should read a rows x cols matrix with strides (sr, sc): as is
// (row-major, leading dim sr) or transposed (leading dim sc). False if neither.
bool blas_layout(int64_t rows, int64_t cols, int64_t sr, int64_t sc, CBLAS_TRANSPOSE& trans, int64_t& ld) {
  if (cols == 1) sc = 1;  // a size-1 dim's stride is arbitrary: pick the convenient one
  if (rows == 1) sr = std::max<int64_t>(cols, 1);
  if (sc == 1 && sr >= std::max<int64_t>(cols, 1)) {
    trans = CblasNoTrans;
    ld = sr;
    return true;
  }
  if (sr == 1 && sc >= std::max<int64_t>(rows, 1)) {
    trans = CblasTrans;
    ld = sc;
    return true;
  }
  return false;
}

// Offset, in elements, of batch entry i of t (the dims before the last two).
int64_t batch_offset(const Tensor& t, int64_t i) {
  int64_t off = 0;
  for (int64_t d = t.dim() - 3; d >= 0; --d) {
    off += (i % t.shape()[d]) * t.strides()[d];
    i /= t.shape()[d];
  }
  return off;
}

}  // namespace

void matmul(const Tensor& out, const Tensor& a_in, const Tensor& b_in, bool accumulate) {
  const int64_t nd = out.dim();
  const int64_t M = out.shape()[nd - 2], N = out.shape()[nd - 1], K = a_in.shape()[nd - 1];
  CBLAS_TRANSPOSE ta, tb;
  int64_t lda, ldb;
  Tensor a = a_in, b = b_in;
  if (!blas_layout(M, K, a.strides()[nd - 2], a.strides()[nd - 1], ta, lda)) {
    a = a.contiguous();
    blas_layout(M, K, a.strides()[nd - 2], a.strides()[nd - 1], ta, lda);
  }
  if (!blas_layout(K, N, b.strides()[nd - 2], b.strides()[nd - 1], tb, ldb)) {
    b = b.contiguous();
    blas_layout(K, N, b.strides()[nd - 2], b.strides()[nd - 1], tb, ldb);
  }
  const int64_t batch = M * N == 0 ? 0 : out.numel() / (M * N);
  dispatch_float(out.dtype(), "matmul", [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* c = out.data<T>();
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    if (K == 0) {  // an empty sum: zeros, or out as it was
      if (!accumulate) std::fill(c, c + out.numel(), T(0));
      return;
    }
    // Task i * tiles + t is tile t of matrix i: a batch of small matrices
    // runs one matrix per task, a large matrix is cut into tiles.
    const GemmTiling tiling(M, N, K);
    parallel_tasks(batch * tiling.count(), [&](int64_t task, char*) {
      const int64_t i = task / tiling.count();
      tiling.run<T>(task % tiling.count(), ta, tb, M, N, K, pa + batch_offset(a, i), lda, pb + batch_offset(b, i), ldb,
                    accumulate ? T(1) : T(0), c + i * M * N, N);
    });
  });
}

}  // namespace tensor::cpu
