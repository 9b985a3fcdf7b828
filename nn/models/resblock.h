// ResBlock: the timestep-conditioned residual block of the reference U-Net.
//   h = c1(silu(n1(x)));  h += t(silu(temb)) per channel;  h = c2(silu(n2(h)))
//   out = skip(x) + h,  skip a 1x1 conv when cin != cout, else the identity.
// x (N, cin, H, W), temb (N, tdim) -> (N, cout, H, W).
#pragma once
#include <memory>

#include "nn/layers/conv2d.h"
#include "nn/layers/group_norm.h"
#include "nn/layers/linear.h"
#include "nn/module.h"

namespace nn {

class ResBlock : public Module {
 public:
  ResBlock(int64_t cin, int64_t cout, int64_t tdim, tensor::Generator& gen, int64_t groups = 8);
  Variable forward(const Variable& x, const Variable& temb);

  std::shared_ptr<GroupNorm> n1, n2;
  std::shared_ptr<Conv2d> c1, c2;
  std::shared_ptr<Linear> t;
  std::shared_ptr<Layer> skip;  // Conv2d 1x1 or Identity
};

}  // namespace nn
