// exp for float32 written so the compiler can vectorize it. The C library's
// expf is a function call per element, which blocks SIMD; SiLU, sigmoid and
// exp then cost ~10 ns an element, more than the convolutions around them.
// This is the classic range reduction plus polynomial (the Cephes expf
// coefficients): exp(x) = 2^n exp(r), n = round(x / ln 2), |r| <= ln(2)/2,
// exp(r) from a degree-7 polynomial, 2^n assembled in the float's exponent
// bits. Relative error about 1e-7 (tests/tensor/vec_math_test.cpp).
// Every step is branch-free float/int arithmetic: std::floor, float->int
// casts and library calls each stopped GCC 12 from vectorizing the loop.
// Results below exp(-86.6) flush to 0 (no denormals); above exp(88.7) are inf.
// float64 keeps std::exp: it serves gradchecks, where accuracy is the point.
#pragma once
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace tensor::cpu {

// Always inlined: a call per element is what this function exists to avoid, and
// GCC's size heuristics left it as a call in the larger binary-op switch.
[[gnu::always_inline]] inline float exp_f32(float x) {
  constexpr float kLog2e = 1.44269504088896341f;
  constexpr float kLn2Hi = 0.693359375f, kLn2Lo = -2.12194440e-4f;  // ln 2 split so n * kLn2Hi is exact
  constexpr float kRound = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer in the low mantissa bits
  const float xc = x < -86.6f ? -86.6f : (x > 88.7f ? 88.7f : x);  // keeps n in [-125, 128]
  const float shifted = xc * kLog2e + kRound;
  const float n = shifted - kRound;  // round(x / ln 2), as a float
  const int32_t n_int = std::bit_cast<int32_t>(shifted) - std::bit_cast<int32_t>(kRound);
  float r = xc - n * kLn2Hi;
  r = r - n * kLn2Lo;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  // 2^(n-1) from its exponent bits, times 2 after: 2^n itself overflows at n = 128.
  const float y = p * std::bit_cast<float>((n_int + 126) << 23) * 2.0f;
  return x < -86.6f ? 0.0f : (x > 88.7f ? std::numeric_limits<float>::infinity() : y);
}

// exp in the tensor's precision: the vectorizable one for float, std::exp for double.
[[gnu::always_inline]] inline float exp_t(float x) { return exp_f32(x); }
inline double exp_t(double x) { return std::exp(x); }

}  // namespace tensor::cpu
