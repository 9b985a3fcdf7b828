// Launchers of the reduction and softmax kernels (reduce.cu), called by reduce.cpp.
#pragma once
#include "tensor/cuda/launch.h"
#include "tensor/kernel_ops.h"

namespace tensor::cuda {

// out (contiguous, n_out elements)[i] = the reduction of the n_red elements
// kept.data + offset_of(kept, i) + offset_of(red, j), j = 0 .. n_red-1:
// kept spans the input's kept dims, red its reduced dims (both from its first element).
void launch_reduce(ReduceOp op, ScalarType type, void* out, const StridedView& kept, const StridedView& red,
                   int64_t n_out, int64_t n_red);
// Softmax (or log-softmax) of each of `rows` contiguous rows of `cols` values.
void launch_softmax_lastdim(ScalarType type, void* out, const void* in, int64_t rows, int64_t cols, bool log);

}  // namespace tensor::cuda
