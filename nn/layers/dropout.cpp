// Dropout: multiply by a random keep-mask (a constant: no gradient flows to it).
#include "nn/layers/dropout.h"

#include "autograd/ops.h"

namespace nn {

Dropout::Dropout(double p, uint64_t seed) : p_(p), gen_(seed) {
  TENSOR_CHECK(p >= 0.0 && p < 1.0, "[Dropout] p must be in [0, 1), got {}", p);
}

Variable Dropout::forward(const Variable& x) {
  if (!is_training() || p_ == 0.0) return x;
  Tensor u = tensor::rand_like(x.data(), gen_);
  Tensor mask = tensor::mul(tensor::ge(u, tensor::scalar(p_, x.dtype(), x.device())), 1.0 / (1.0 - p_));
  return autograd::mul(x, Variable(mask));
}

}  // namespace nn
