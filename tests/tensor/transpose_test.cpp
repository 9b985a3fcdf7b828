// tensor/cpu/transpose.h: the blocked out-of-place transpose the convolution
// kernels use to feed OpenBLAS its faster GEMM form, on shapes with and
// without whole 16 x 16 blocks.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "tensor/cpu/transpose.h"

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

}  // namespace
