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

  Variable weight, bias;
  int64_t num_groups, num_channels;
  double eps;
};

// The normalization itself, composed from autograd ops so its gradient is
// free: weight and bias may be undefined (no affine transform).
Variable group_norm(const Variable& x, int64_t num_groups, const Variable& weight, const Variable& bias,
                    double eps = 1e-5);

}  // namespace nn
