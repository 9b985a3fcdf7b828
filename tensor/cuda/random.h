// Launcher of the random fill kernel (random.cu), called by random.cpp.
#pragma once
#include "tensor/cuda/launch.h"
#include "tensor/kernel_ops.h"

namespace tensor::cuda {

// out (contiguous, Float32 or Float64, n elements)[i] = the Philox value (seed, stream, i).
void launch_random_fill(void* out, ScalarType type, RandomKind kind, uint64_t seed, uint64_t stream, int64_t n);

}  // namespace tensor::cuda
