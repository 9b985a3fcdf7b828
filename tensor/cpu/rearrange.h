// Out-of-place copies that rearrange row-major data so the kernel after them
// reads contiguous runs:
// - transpose, for kernels that feed a GEMM: OpenBLAS multiplies A B^T
//   ("NT") at about half the rate of A B on the thin products of a
//   convolution's weight gradient (BM_SgemmWeightGradForm in
//   bench/tensor_bench.cpp), so those kernels transpose one small operand
//   first and call the faster form;
// - split_columns, for kernels that step through an image two columns at a
//   time (Winograd's 2x2 tiles, stride-2 convolutions).
#pragma once
#include <algorithm>
#include <cstdint>

namespace tensor::cpu {

// dst (cols, rows) = src (rows, cols)^T, both contiguous. In 16 x 16 blocks,
// so the reads of one block's rows and the writes of its columns stay in L1.
// (SSE 4 x 4 register transposes of the blocks gained about 1 % on the
// convolutions that use this: their time is in the GEMMs.)
template <typename T>
void transpose(int64_t rows, int64_t cols, const T* src, T* dst) {
  constexpr int64_t kBlock = 16;
  for (int64_t r0 = 0; r0 < rows; r0 += kBlock) {
    const int64_t r1 = std::min(rows, r0 + kBlock);
    for (int64_t c0 = 0; c0 < cols; c0 += kBlock) {
      const int64_t c1 = std::min(cols, c0 + kBlock);
      for (int64_t c = c0; c < c1; ++c)
        for (int64_t r = r0; r < r1; ++r) dst[c * rows + r] = src[r * cols + c];
    }
  }
}

// Splits a row of W values by column parity: row[2k] to first[k], row[2k + 1]
// to second[k] (an odd W's last value to first[W / 2]).
template <typename T>
void split_columns(const T* row, int64_t W, T* first, T* second) {
  const int64_t pairs = W / 2;
#pragma omp simd
  for (int64_t k = 0; k < pairs; ++k) {
    first[k] = row[2 * k];
    second[k] = row[2 * k + 1];
  }
  if (W % 2) first[pairs] = row[W - 1];
}

}  // namespace tensor::cpu
