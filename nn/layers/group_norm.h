// GroupNorm: splits the C channels into G groups and normalizes each
// (sample, group) over its channels and positions to zero mean and unit
// variance (biased variance, like PyTorch), then applies a per-channel
// scale and shift. x (N, C, *) -> same shape; weight and bias (C), init 1 and 0.
#pragma once
#include "nn/module.h"

namespace nn {

class GroupNorm : public Layer {
 public:
  GroupNorm(int64_t num_groups, int64_t num_channels, double eps = 1e-5, bool affine = true);
  Variable forward(const Variable& x) override;
  // silu(forward(x)) in one fused pass (the "silu(norm(x))" of a ResBlock).
  Variable forward_silu(const Variable& x);

  Variable weight, bias;
  int64_t num_groups, num_channels;
  double eps;
};

// The normalization composed from autograd ops (reshape, mean, var, ...), so
// its gradient is free: the readable specification. The layer runs the fused
// kernel autograd::group_norm instead, which tests check against this.
// weight and bias may be undefined (no affine transform).
Variable group_norm_composed(const Variable& x, int64_t num_groups, const Variable& weight, const Variable& bias,
                    double eps = 1e-5);

}  // namespace nn
