// SpatialAttention: two batched matmuls around a softmax, all differentiable
// ops, so the backward pass comes from the autograd rules of each.
#include "nn/layers/attention.h"

#include <cmath>

#include "autograd/ops.h"

namespace nn {

namespace ag = autograd;

SpatialAttention::SpatialAttention(int64_t channels_, tensor::Generator& gen, int64_t groups, int64_t heads_)
    : channels(channels_), heads(heads_) {
  TENSOR_CHECK(heads_ > 0 && channels_ % heads_ == 0, "[SpatialAttention] {} channels cannot be split into {} heads",
               channels_, heads_);
  // Registration order fixes the state_dict order: n, qkv, out (as the reference).
  n = register_module("n", std::make_shared<GroupNorm>(groups, channels_));
  qkv = register_module("qkv", std::make_shared<Conv2d>(channels_, 3 * channels_, 1, gen));
  out = register_module("out", std::make_shared<Conv2d>(channels_, channels_, 1, gen));
}

Variable SpatialAttention::forward(const Variable& x) {
  TENSOR_CHECK(x.dim() == 4 && x.size(1) == channels, "[SpatialAttention] input {} should be (N, {}, H, W)",
               tensor::shape_str(x.shape()), channels);
  const int64_t N = x.size(0), C = channels, H = x.size(2), W = x.size(3), P = H * W;
  const int64_t d = C / heads;
  // qkv channels are laid out [q | k | v], each C = heads * d: (N, 3, heads, d, P).
  Variable qkv_all = ag::reshape(qkv->forward(n->forward(x)), {N, 3, heads, d, P});
  Variable q = ag::select(qkv_all, 1, 0);  // (N, heads, d, P)
  Variable k = ag::select(qkv_all, 1, 1);
  Variable v = ag::select(qkv_all, 1, 2);
  // scores[i, j] = q_i . k_j / sqrt(d): (N, heads, P, d) @ (N, heads, d, P) -> (N, heads, P, P)
  Variable scores = ag::mul(ag::matmul(ag::transpose(q, 2, 3), k), 1.0 / std::sqrt(static_cast<double>(d)));
  Variable a = ag::softmax(scores, -1);
  // o[c, i] = sum_j a[i, j] v[c, j]: (N, heads, d, P) @ (N, heads, P, P)^T -> (N, heads, d, P)
  Variable o = ag::matmul(v, ag::transpose(a, 2, 3));
  return ag::add(x, out->forward(ag::reshape(o, {N, C, H, W})));
}

}  // namespace nn
