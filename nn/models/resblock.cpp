// ResBlock (see resblock.h). Children are registered in the reference's
// order (n1, c1, t, n2, c2, skip), which fixes the parameter order.
#include "nn/models/resblock.h"

#include "autograd/ops.h"
#include "nn/layers/activation.h"

namespace nn {

namespace ag = autograd;

ResBlock::ResBlock(int64_t cin, int64_t cout, int64_t tdim, tensor::Generator& gen, int64_t groups) {
  n1 = register_module("n1", std::make_shared<GroupNorm>(groups, cin));
  c1 = register_module("c1", std::make_shared<Conv2d>(cin, cout, 3, gen, 1, 1));
  t = register_module("t", std::make_shared<Linear>(tdim, cout, gen));
  n2 = register_module("n2", std::make_shared<GroupNorm>(groups, cout));
  c2 = register_module("c2", std::make_shared<Conv2d>(cout, cout, 3, gen, 1, 1));
  if (cin != cout)
    skip = register_module("skip", std::make_shared<Conv2d>(cin, cout, 1, gen));
  else
    skip = register_module("skip", std::make_shared<Identity>());
}

Variable ResBlock::forward(const Variable& x, const Variable& temb) {
  TENSOR_CHECK(temb.dim() == 2 && x.dim() == 4 && temb.size(0) == x.size(0),
               "[ResBlock] x {} and temb {} should be (N, C, H, W) and (N, tdim)", tensor::shape_str(x.shape()),
               tensor::shape_str(temb.shape()));
  Variable h = c1->forward(n1->forward_silu(x));
  Variable tproj = t->forward(ag::silu(temb));  // (N, cout), added to every position
  h = ag::add(h, ag::reshape(tproj, {tproj.size(0), tproj.size(1), 1, 1}));
  h = c2->forward(n2->forward_silu(h));
  return ag::add(skip->forward(x), h);
}

}  // namespace nn
