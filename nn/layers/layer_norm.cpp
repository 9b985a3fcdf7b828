// LayerNorm as a composition of mean, var and elementwise ops.
#include "nn/layers/layer_norm.h"

#include "autograd/ops.h"
#include "tensor/ops.h"

namespace nn {

namespace ag = autograd;

LayerNorm::LayerNorm(Shape shape, double eps_, bool affine) : normalized_shape(std::move(shape)), eps(eps_) {
  TENSOR_CHECK(!normalized_shape.empty() && tensor::numel_of(normalized_shape) > 0,
               "[LayerNorm] normalized_shape {} must be non-empty", tensor::shape_str(normalized_shape));
  if (affine) {
    weight = register_parameter("weight", tensor::ones(normalized_shape));
    bias = register_parameter("bias", tensor::zeros(normalized_shape));
  }
}

Variable LayerNorm::forward(const Variable& x) {
  const int64_t k = static_cast<int64_t>(normalized_shape.size());
  const bool ends_with = x.dim() >= k && Shape(x.shape().end() - k, x.shape().end()) == normalized_shape;
  TENSOR_CHECK(ends_with, "[LayerNorm] input {} should end in {}", tensor::shape_str(x.shape()),
               tensor::shape_str(normalized_shape));
  std::vector<int64_t> dims;
  for (int64_t d = x.dim() - k; d < x.dim(); ++d) dims.push_back(d);
  Variable mu = ag::mean(x, dims, true);
  Variable var = ag::var(x, dims, true, /*correction=*/0);
  Variable y = ag::mul(ag::sub(x, mu), ag::rsqrt(ag::add(var, eps)));
  if (weight.defined()) y = ag::mul(y, weight);
  if (bias.defined()) y = ag::add(y, bias);
  return y;
}

}  // namespace nn
