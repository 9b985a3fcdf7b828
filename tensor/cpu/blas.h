// GEMM through OpenBLAS for the CPU kernels (gemm.cpp, conv.cpp): one typed
// call, and the fixed tiling that spreads one product over the threads.
// Every call here runs single-threaded (inside parallel_tasks), so a
// product's bits follow from its shape alone (Note [Same bits for any thread
// count] in parallel.h). Matrices are row-major; op(X) is X or its transpose.
#pragma once
#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <type_traits>

namespace tensor::cpu {

// C (M, N) = op(A) (M, K) @ op(B) (K, N) + beta * C.
// OpenBLAS's OpenMP build takes its thread count from the calling thread's
// OpenMP setting (omp_get_max_threads), whatever openblas_set_num_threads
// said: a pool worker or any other thread of the program starts with the
// default, all the CPUs. So each thread that calls us is set to 1 here.
template <typename T>
void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int64_t M, int64_t N, int64_t K, const T* A, int64_t lda, const T* B,
          int64_t ldb, T beta, T* C, int64_t ldc) {
  if (omp_get_max_threads() != 1) omp_set_num_threads(1);
  if constexpr (std::is_same_v<T, float>)
    cblas_sgemm(CblasRowMajor, ta, tb, M, N, K, 1.0f, A, lda, B, ldb, beta, C, ldc);
  else
    cblas_dgemm(CblasRowMajor, ta, tb, M, N, K, 1.0, A, lda, B, ldb, beta, C, ldc);
}

// How one (M, N, K) product is cut into tiles of C, each one BLAS call over the
// whole of K. The tiles depend on M, N and K only, never on the threads:
// about one tile per kTileWork multiply-adds (some 30 us on one core), at most
// kMaxTiles, cut along M first, no smaller than kMinRows x kMinCols. Every
// cut costs single-thread speed, since OpenBLAS packs B again for each row
// strip and A again for each column block: at one thread, BM_Matmul
// (bench/tensor_bench.cpp) takes about 15 % more CPU time at 512^3 and
// 1024^3 than one whole call, 3 % at 256^3; smaller tiles cost more.
struct GemmTiling {
  static constexpr int64_t kTileWork = int64_t(1) << 22;
  static constexpr int64_t kMaxTiles = 8;
  static constexpr int64_t kMinRows = 256, kMinCols = 128;
  int64_t rows, cols;            // size of a tile (the last row/column of tiles may be smaller)
  int64_t row_tiles, col_tiles;  // tiles along M and along N
  int64_t count() const { return row_tiles * col_tiles; }

  GemmTiling(int64_t M, int64_t N, int64_t K) {
    const int64_t wanted = std::clamp<int64_t>(M * N * K / kTileWork, 1, kMaxTiles);
    const int64_t along_m = std::clamp<int64_t>(M / kMinRows, 1, wanted);
    const int64_t along_n = std::clamp<int64_t>(N / kMinCols, 1, (wanted + along_m - 1) / along_m);
    auto side = [](int64_t size, int64_t pieces) {
      return std::max<int64_t>(1, ((size + pieces - 1) / pieces + 15) / 16 * 16);
    };
    rows = side(M, along_m);
    cols = side(N, along_n);
    row_tiles = (M + rows - 1) / rows;
    col_tiles = (N + cols - 1) / cols;
  }

  // Tile t of C = op(A) @ op(B) + beta * C, as one (single-threaded) BLAS call.
  template <typename T>
  void run(int64_t t, CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int64_t M, int64_t N, int64_t K, const T* A, int64_t lda,
           const T* B, int64_t ldb, T beta, T* C, int64_t ldc) const {
    const int64_t r0 = t / col_tiles * rows, c0 = t % col_tiles * cols;
    const int64_t m = std::min(rows, M - r0), n = std::min(cols, N - c0);
    const T* a = ta == CblasNoTrans ? A + r0 * lda : A + r0;  // rows r0.. of op(A)
    const T* b = tb == CblasNoTrans ? B + c0 : B + c0 * ldb;  // columns c0.. of op(B)
    gemm<T>(ta, tb, m, n, K, a, lda, b, ldb, beta, C + r0 * ldc + c0, ldc);
  }
};

}  // namespace tensor::cpu
