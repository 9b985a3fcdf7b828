// clip_grad_norm: rescales all gradients together so their global L2 norm
// (the norm of every gradient element of every parameter, as one vector) is
// at most max_norm, like torch.nn.utils.clip_grad_norm_. Returns the norm
// before clipping. Parameters without a gradient are skipped.
#pragma once
#include <vector>

#include "autograd/variable.h"

namespace nn {

double clip_grad_norm(const std::vector<autograd::Variable>& params, double max_norm);

}  // namespace nn
