// LayerNorm: normalizes over the last dims of x (those of normalized_shape)
// to zero mean and unit (biased) variance, then an elementwise scale and
// shift of that shape (init 1 and 0), like torch.nn.LayerNorm.
#pragma once
#include "nn/module.h"

namespace nn {

class LayerNorm : public Layer {
 public:
  explicit LayerNorm(Shape normalized_shape, double eps = 1e-5, bool affine = true);
  Variable forward(const Variable& x) override;

  Variable weight, bias;
  Shape normalized_shape;
  double eps;
};

}  // namespace nn
