// Device-side helpers shared by the CUDA kernels: element i of a StridedView
// (by offset_of in launch.h), and the grid-stride loop. For .cu files only.
#pragma once
#include <cstdint>

#include "tensor/cuda/launch.h"

namespace tensor::cuda {

template <typename T>
__device__ __forceinline__ T& element(const StridedView& v, int64_t i) {
  return static_cast<T*>(v.data)[offset_of(v, i)];
}

}  // namespace tensor::cuda

// for (i over [0, n)) spread over every thread of the grid.
#define GRID_STRIDE_LOOP(i, n)                                                           \
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); \
       i += static_cast<int64_t>(blockDim.x) * gridDim.x)
