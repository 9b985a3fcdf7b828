// Device-side helpers shared by the CUDA kernels: where element i of a
// StridedView lives, and the grid-stride loop. Included by .cu files only.
#pragma once
#include <cstdint>

#include "tensor/cuda/launch.h"

namespace tensor::cuda {

// Element offset of the row-major linear index i over v's (merged) dims.
// The outermost dim needs no modulo (i is in range); a contiguous operand
// has one dim, so this is one multiply.
__device__ __forceinline__ int64_t offset_of(const StridedView& v, int64_t i) {
  int64_t offset = 0;
#pragma unroll
  for (int d = kMaxDims - 1; d > 0; --d) {
    if (d < v.ndim) {
      offset += (i % v.sizes[d]) * v.strides[d];
      i /= v.sizes[d];
    }
  }
  return v.ndim > 0 ? offset + i * v.strides[0] : 0;
}

template <typename T>
__device__ __forceinline__ T& element(const StridedView& v, int64_t i) {
  return static_cast<T*>(v.data)[offset_of(v, i)];
}

}  // namespace tensor::cuda

// for (i over [0, n)) spread over every thread of the grid.
#define GRID_STRIDE_LOOP(i, n)                                                           \
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); \
       i += static_cast<int64_t>(blockDim.x) * gridDim.x)
