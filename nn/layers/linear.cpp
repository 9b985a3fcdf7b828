// Linear: a matmul with the transposed weight, plus the broadcast bias, in
// one GEMM that adds onto the bias (addmm).
#include "nn/layers/linear.h"

#include "autograd/ops.h"
#include "nn/init.h"

namespace nn {

Linear::Linear(int64_t in_features, int64_t out_features, tensor::Generator& gen, bool with_bias)
    : in_features_(in_features), out_features_(out_features) {
  TENSOR_CHECK(in_features > 0 && out_features > 0, "[Linear] sizes must be positive, got in {} out {}", in_features,
               out_features);
  weight = register_parameter("weight", init::default_uniform({out_features, in_features}, in_features, gen));
  if (with_bias) bias = register_parameter("bias", init::default_uniform({out_features}, in_features, gen));
}

Variable Linear::forward(const Variable& x) {
  TENSOR_CHECK(x.dim() >= 1 && x.size(-1) == in_features_, "[Linear] input {} should end in {} features (weight {})",
               tensor::shape_str(x.shape()), in_features_, tensor::shape_str(weight.shape()));
  // Fold leading dims into one batch dim: one GEMM (N, in) @ (in, out).
  Shape out_shape = x.shape();
  out_shape.back() = out_features_;
  Variable x2 = x.dim() == 2 ? x : autograd::reshape(x, {-1, in_features_});
  const Variable weight_t = autograd::transpose(weight, 0, 1);
  const Variable y = bias.defined() ? autograd::addmm(bias, x2, weight_t) : autograd::matmul(x2, weight_t);
  return x.dim() == 2 ? y : autograd::reshape(y, out_shape);
}

}  // namespace nn
