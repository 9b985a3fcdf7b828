// Launchers of the group_norm kernels (group_norm.cu), called by group_norm.cpp (plain C++).
// Shapes as in tensor/cpu/group_norm.cpp: x (N, C, S) contiguous, G groups of
// Cg = C/G channels; mean and rstd (N, G); weight and bias (C) or null.
#pragma once
#include <cstdint>

#include "tensor/cuda/launch.h"

namespace tensor::cuda {

struct GroupNormGeometry {
  int64_t N, C, S, G;
};

void launch_group_norm_forward(ScalarType dtype, void* out, void* mean, void* rstd, const void* x, const void* weight,
                               const void* bias, const GroupNormGeometry& g, double eps, bool silu);

// sum_dy and sum_dy_xhat: (N, C) float64 scratch that the first kernel fills
// and the second sums over the batch into grad_weight / grad_bias; all four
// are null when neither gradient is wanted.
void launch_group_norm_backward(ScalarType dtype, void* grad_x, void* grad_weight, void* grad_bias,
                                const void* grad_out, const void* x, const void* mean, const void* rstd,
                                const void* weight, const void* bias, double* sum_dy, double* sum_dy_xhat,
                                const GroupNormGeometry& g, bool silu);

}  // namespace tensor::cuda
