// clip_grad_norm (see clip_grad.h). The scale is max_norm / (norm + 1e-6),
// applied only when below 1, as in PyTorch.
#include "nn/optim/clip_grad.h"

#include <cmath>

#include "tensor/ops.h"

namespace nn {

double clip_grad_norm(const std::vector<autograd::Variable>& params, double max_norm) {
  TENSOR_CHECK(max_norm > 0, "[clip_grad_norm] max_norm must be positive, got {}", max_norm);
  // The squares are summed on the gradients' device, parameter after parameter
  // in float64 (the order of the host loop this replaced, so the norm is the
  // same to the bit), and read back once.
  tensor::Tensor sum_sq;
  for (const auto& p : params) {
    if (!p.grad().defined()) continue;
    const tensor::Tensor s = tensor::sum(tensor::square(p.grad().to(tensor::DType::Float64)));
    sum_sq = sum_sq.defined() ? tensor::add(sum_sq, s) : s;
  }
  const double norm = sum_sq.defined() ? std::sqrt(sum_sq.item()) : 0.0;
  const double scale = max_norm / (norm + 1e-6);
  if (scale < 1.0)
    for (const auto& p : params)
      if (p.grad().defined()) p.set_grad(tensor::mul(p.grad(), scale));
  return norm;
}

}  // namespace nn
