// Launchers of the elementwise kernels (elementwise.cu), called by elementwise.cpp.
// All views have out's shape; the types are Float32 or Float64.
#pragma once
#include "tensor/cuda/launch.h"
#include "tensor/kernel_ops.h"

namespace tensor::cuda {

void launch_unary(UnaryOp op, ScalarType type, const StridedView& out, const StridedView& in, double p0, double p1,
                  int64_t n);
void launch_binary(BinaryOp op, ScalarType type, const StridedView& out, const StridedView& a, const StridedView& b,
                   int64_t n);
void launch_where(ScalarType type, const StridedView& out, const StridedView& cond, const StridedView& a,
                  const StridedView& b, int64_t n);

}  // namespace tensor::cuda
