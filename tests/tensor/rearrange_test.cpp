// tensor/cpu/rearrange.h: the blocked out-of-place transpose the convolution
// kernels use to feed OpenBLAS its faster GEMM form, on shapes with and
// without whole 16 x 16 blocks, and the split of a row by column parity.
#include "tensor/cpu/rearrange.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace {

template <typename T>
void expect_transposed(int64_t rows, int64_t cols) {
  std::vector<T> src(rows * cols), dst(rows * cols, T(-1));
  for (int64_t i = 0; i < rows * cols; ++i) src[i] = static_cast<T>(i);
  tensor::cpu::transpose(rows, cols, src.data(), dst.data());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      ASSERT_EQ(dst[c * rows + r], src[r * cols + c]) << rows << " x " << cols << " at (" << r << ", " << c << ")";
}

TEST(CpuTranspose, EveryElementLandsAtItsMirror) {
  const int64_t shapes[][2] = {{1, 1}, {1, 37}, {37, 1}, {16, 16}, {32, 48}, {17, 33}, {64, 196}, {9, 5}};
  for (const auto& s : shapes) {
    expect_transposed<float>(s[0], s[1]);
    expect_transposed<double>(s[0], s[1]);
  }
}

TEST(CpuSplitColumns, EvenColumnsFirstOddSecondOnEvenAndOddWidths) {
  for (int64_t W : {1, 2, 7, 8, 33}) {
    std::vector<double> row(W), first(W, -1), second(W, -1);
    for (int64_t i = 0; i < W; ++i) row[i] = static_cast<double>(i);
    tensor::cpu::split_columns(row.data(), W, first.data(), second.data());
    for (int64_t k = 0; k < W; ++k) {  // past each run: untouched
      EXPECT_EQ(first[k], k < (W + 1) / 2 ? 2.0 * k : -1.0) << "W " << W << ", first[" << k << "]";
      EXPECT_EQ(second[k], k < W / 2 ? 2.0 * k + 1 : -1.0) << "W " << W << ", second[" << k << "]";
    }
  }
}

}  // namespace
