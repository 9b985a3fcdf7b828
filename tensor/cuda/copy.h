// Launchers of the copy and fill kernels (copy.cu), called by copy.cpp.
#pragma once
#include "tensor/cuda/launch.h"

namespace tensor::cuda {

// out[i] = cast(src[i]) for the n elements of out's shape.
void launch_copy(const StridedView& out, ScalarType out_type, const StridedView& src, ScalarType src_type, int64_t n);
// out[i] = value, cast to out's type.
void launch_fill(const StridedView& out, ScalarType type, double value, int64_t n);

}  // namespace tensor::cuda
