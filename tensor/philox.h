// Philox4x32-10, a counter-based random number generator (Salmon et al.,
// "Parallel random numbers: as easy as 1, 2, 3", SC 2011).
//
// Note [Philox streams]: a random tensor's element i is a pure function of
// (seed, stream, i): the counter is (i, stream) and the key is the seed.
// No state is carried from one element to the next, so the values do not
// depend on how many threads fill the tensor or in what order, and a GPU
// kernel computing the same function gives the same numbers. A Generator
// (tensor/random.h) hands out a fresh stream number per random tensor.
//
// This header is plain arithmetic so that the CUDA backend can include it.
#pragma once
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "tensor/kernel_ops.h"

#ifdef __CUDACC__
#define PHILOX_HOST_DEVICE __host__ __device__
#else
#define PHILOX_HOST_DEVICE
#endif

namespace tensor::philox {

struct Block {
  uint32_t w[4];
};

PHILOX_HOST_DEVICE inline void mulhilo(uint32_t a, uint32_t b, uint32_t& hi, uint32_t& lo) {
  const uint64_t p = static_cast<uint64_t>(a) * b;
  hi = static_cast<uint32_t>(p >> 32);
  lo = static_cast<uint32_t>(p);
}

// Ten rounds of Philox4x32 on counter (index, stream) with key seed.
PHILOX_HOST_DEVICE inline Block philox4x32_10(uint64_t seed, uint64_t stream, uint64_t index) {
  uint32_t c0 = static_cast<uint32_t>(index), c1 = static_cast<uint32_t>(index >> 32);
  uint32_t c2 = static_cast<uint32_t>(stream), c3 = static_cast<uint32_t>(stream >> 32);
  uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
  for (int round = 0; round < 10; ++round) {
    uint32_t hi0, lo0, hi1, lo1;
    mulhilo(0xD2511F53u, c0, hi0, lo0);
    mulhilo(0xCD9E8D57u, c2, hi1, lo1);
    const uint32_t n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
    c0 = n0;
    c1 = lo1;
    c2 = n2;
    c3 = lo0;
    k0 += 0x9E3779B9u;  // the Weyl sequence of the key schedule
    k1 += 0xBB67AE85u;
  }
  return Block{{c0, c1, c2, c3}};
}

// 53 random bits as a double in [0, 1).
PHILOX_HOST_DEVICE inline double to_unit_double(uint32_t hi, uint32_t lo) {
  const uint64_t bits = ((static_cast<uint64_t>(hi) << 32) | lo) >> 11;
  return static_cast<double>(bits) * (1.0 / 9007199254740992.0);
}

// Element i of a uniform [0, 1) tensor: 24 bits for float (so it never rounds up to 1), 53 for double.
PHILOX_HOST_DEVICE inline float uniform_float(uint64_t seed, uint64_t stream, uint64_t i) {
  const Block b = philox4x32_10(seed, stream, i);
  return static_cast<float>(b.w[0] >> 8) * (1.0f / 16777216.0f);
}
PHILOX_HOST_DEVICE inline double uniform_double(uint64_t seed, uint64_t stream, uint64_t i) {
  const Block b = philox4x32_10(seed, stream, i);
  return to_unit_double(b.w[0], b.w[1]);
}

// Element i of a standard normal tensor, by Box-Muller on the block's two
// 53-bit uniforms, in double (cast once to the tensor's dtype).
PHILOX_HOST_DEVICE inline double normal(uint64_t seed, uint64_t stream, uint64_t i) {
  const Block b = philox4x32_10(seed, stream, i);
  const double u1 = 1.0 - to_unit_double(b.w[0], b.w[1]);  // (0, 1]: log(u1) is finite
  const double u2 = to_unit_double(b.w[2], b.w[3]);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586476925 * u2);
}

// Element i of a random tensor of type T (float or double): the one function
// the CPU and CUDA fills both call, so the backends give the same values.
template <typename T>
PHILOX_HOST_DEVICE inline T random_value(RandomKind kind, uint64_t seed, uint64_t stream, uint64_t i) {
  if (kind == RandomKind::Normal) return static_cast<T>(normal(seed, stream, i));
  if constexpr (std::is_same_v<T, float>)
    return uniform_float(seed, stream, i);
  else
    return uniform_double(seed, stream, i);
}

}  // namespace tensor::philox
