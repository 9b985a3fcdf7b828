// The classification loss: mean cross-entropy of logits against integer
// labels, as PyTorch's F.cross_entropy (reduction 'mean'). A composition of
// differentiable ops (log_softmax, a one-hot mask, sum, mean), so its
// gradient, softmax(logits) - one_hot, comes from autograd with no rule here.
#pragma once
#include "autograd/variable.h"

namespace nn {

// Shapes: N examples, K classes.
// logits (N, K) float; labels (N) Int64 in 0..K-1.
//   loss = -(1/N) sum_i log_softmax(logits_i)[labels_i]
autograd::Variable cross_entropy(const autograd::Variable& logits, const tensor::Tensor& labels);

}  // namespace nn
