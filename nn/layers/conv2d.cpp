// Conv2d: the layer around autograd::conv2d (whose front-end checks shapes).
#include "nn/layers/conv2d.h"

#include "autograd/ops.h"
#include "nn/init.h"

namespace nn {

Conv2d::Conv2d(int64_t in_ch, int64_t out_ch, int64_t k, tensor::Generator& gen, int64_t stride_, int64_t padding_,
               bool with_bias)
    : in_channels(in_ch), out_channels(out_ch), kernel_size(k), stride(stride_), padding(padding_) {
  TENSOR_CHECK(in_ch > 0 && out_ch > 0 && k > 0 && stride_ > 0 && padding_ >= 0,
               "[Conv2d] bad configuration: in {} out {} kernel {} stride {} padding {}", in_ch, out_ch, k, stride_,
               padding_);
  const int64_t fan_in = in_ch * k * k;
  weight = register_parameter("weight", init::default_uniform({out_ch, in_ch, k, k}, fan_in, gen));
  if (with_bias) bias = register_parameter("bias", init::default_uniform({out_ch}, fan_in, gen));
}

Variable Conv2d::forward(const Variable& x) {
  TENSOR_CHECK(x.dim() == 4 && x.size(1) == in_channels, "[Conv2d] input {} should be (N, {}, H, W) (weight {})",
               tensor::shape_str(x.shape()), in_channels, tensor::shape_str(weight.shape()));
  return autograd::conv2d(x, weight, bias, stride, padding);
}

}  // namespace nn
