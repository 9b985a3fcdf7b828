// CUDA random fills: one thread per element, element i = the same function
// of (seed, stream, i) as on the CPU (tensor/cpu/random.cpp), from the same
// __host__ __device__ code (Note [Philox streams] in tensor/philox.h).
#include "tensor/cuda/random.h"
#include "tensor/cuda/scalar_type.cuh"
#include "tensor/cuda/strided.cuh"
#include "tensor/philox.h"

namespace tensor::cuda {
namespace {

template <typename T>
__global__ void random_kernel(T* out, RandomKind kind, uint64_t seed, uint64_t stream, int64_t n) {
  GRID_STRIDE_LOOP(i, n) { out[i] = philox::random_value<T>(kind, seed, stream, i); }
}

}  // namespace

void launch_random_fill(void* out, ScalarType type, RandomKind kind, uint64_t seed, uint64_t stream_id, int64_t n) {
  with_float_type(type, [&](auto tag) {
    using T = typename decltype(tag)::type;
    random_kernel<T><<<blocks_for(n), kBlockSize, 0, stream()>>>(static_cast<T*>(out), kind, seed, stream_id, n);
  });
  DIFFUSE_CUDA_CHECK_LAUNCH("random_fill");
}

}  // namespace tensor::cuda
