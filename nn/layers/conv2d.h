// Conv2d: 2-D convolution (cross-correlation, as in PyTorch) over NCHW input,
// square kernel, one stride and one padding for both axes, no groups.
// weight (out, in, k, k) and bias (out), initialized as in PyTorch.
#pragma once
#include "nn/module.h"
#include "tensor/random.h"

namespace nn {

class Conv2d : public Layer {
 public:
  Conv2d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, tensor::Generator& gen, int64_t stride = 1,
         int64_t padding = 0, bool bias = true);
  Variable forward(const Variable& x) override;

  Variable weight, bias;
  int64_t in_channels, out_channels, kernel_size, stride, padding;
};

}  // namespace nn
