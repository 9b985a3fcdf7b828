// Upsample: nearest-neighbour upsampling of NCHW input by an integer factor,
// like F.interpolate(x, scale_factor=s, mode='nearest').
#pragma once
#include "autograd/ops.h"
#include "nn/module.h"

namespace nn {

class Upsample : public Layer {
 public:
  explicit Upsample(int64_t scale = 2) : scale_(scale) {
    TENSOR_CHECK(scale > 0, "[Upsample] scale must be positive, got {}", scale);
  }
  Variable forward(const Variable& x) override { return autograd::upsample_nearest2d(x, scale_); }

 private:
  int64_t scale_;
};

}  // namespace nn
