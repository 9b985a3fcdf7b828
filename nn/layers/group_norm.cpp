// GroupNorm: the layer (on the fused kernel, autograd/norm.cpp) and the
// composition it is tested against: reshape to (N, G, rest), mean and biased
// var over the last dim, normalize, reshape back, scale and shift per channel.
#include "nn/layers/group_norm.h"

#include "autograd/ops.h"
#include "tensor/ops.h"

namespace nn {

namespace ag = autograd;

GroupNorm::GroupNorm(int64_t groups, int64_t channels, double eps_, bool affine)
    : num_groups(groups), num_channels(channels), eps(eps_) {
  TENSOR_CHECK(groups > 0 && channels > 0 && channels % groups == 0,
               "[GroupNorm] {} channels cannot be split into {} groups", channels, groups);
  if (affine) {
    weight = register_parameter("weight", tensor::ones({channels}));
    bias = register_parameter("bias", tensor::zeros({channels}));
  }
}

Variable GroupNorm::forward(const Variable& x) {
  TENSOR_CHECK(x.dim() >= 2 && x.size(1) == num_channels, "[GroupNorm] input {} should be (N, {}, ...)",
               tensor::shape_str(x.shape()), num_channels);
  return ag::group_norm(x, num_groups, weight, bias, eps);
}

Variable GroupNorm::forward_silu(const Variable& x) {
  TENSOR_CHECK(x.dim() >= 2 && x.size(1) == num_channels, "[GroupNorm] input {} should be (N, {}, ...)",
               tensor::shape_str(x.shape()), num_channels);
  return ag::group_norm(x, num_groups, weight, bias, eps, /*silu=*/true);
}

Variable group_norm_composed(const Variable& x, int64_t num_groups, const Variable& weight, const Variable& bias, double eps) {
  TENSOR_CHECK(x.dim() >= 2 && x.size(1) % num_groups == 0, "[group_norm_composed] input {} has channels not divisible by {} groups",
               tensor::shape_str(x.shape()), num_groups);
  const int64_t n = x.size(0), c = x.size(1);
  Variable xg = ag::reshape(x, {n, num_groups, -1});
  Variable mu = ag::mean(xg, {2}, true);
  Variable var = ag::var(xg, {2}, true, /*correction=*/0);
  Variable xhat = ag::mul(ag::sub(xg, mu), ag::rsqrt(ag::add(var, eps)));
  Variable y = ag::reshape(xhat, x.shape());
  // Per-channel affine: weight and bias viewed as (1, C, 1, ...) to broadcast.
  Shape channel_shape(x.dim(), 1);
  channel_shape[1] = c;
  if (weight.defined()) y = ag::mul(y, ag::reshape(weight, channel_shape));
  if (bias.defined()) y = ag::add(y, ag::reshape(bias, channel_shape));
  return y;
}

}  // namespace nn
