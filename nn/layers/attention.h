// SpatialAttention: self-attention over the H*W positions of a feature map,
// with a GroupNorm in front and a residual around it (the reference
// `Attention`): q, k, v = split(qkv(norm(x))), a = softmax(q^T k / sqrt(d)),
// out = x + proj(v a^T). Shapes: N batch, C channels, P = H*W positions,
// heads splits C into heads of d = C / heads channels (heads = 1: the reference).
// Parameters: n (GroupNorm), qkv (1x1 Conv2d C -> 3C), out (1x1 Conv2d C -> C).
#pragma once
#include <memory>

#include "nn/layers/conv2d.h"
#include "nn/layers/group_norm.h"
#include "nn/module.h"

namespace nn {

class SpatialAttention : public Layer {
 public:
  SpatialAttention(int64_t channels, tensor::Generator& gen, int64_t groups = 8, int64_t heads = 1);
  Variable forward(const Variable& x) override;

  std::shared_ptr<GroupNorm> n;
  std::shared_ptr<Conv2d> qkv, out;
  int64_t channels, heads;
};

}  // namespace nn
