// cross_entropy (see cross_entropy.h).
#include "nn/cross_entropy.h"

#include <algorithm>

#include "autograd/ops.h"
#include "tensor/ops.h"

namespace nn {

autograd::Variable cross_entropy(const autograd::Variable& logits, const tensor::Tensor& labels) {
  TENSOR_CHECK(logits.dim() == 2 && labels.dim() == 1 && labels.size(0) == logits.size(0) && logits.size(0) > 0,
               "[cross_entropy] logits {} and labels {} should be (N, K) and (N)", tensor::shape_str(logits.shape()),
               tensor::shape_str(labels.shape()));
  TENSOR_CHECK(labels.dtype() == tensor::DType::Int64, "[cross_entropy] labels must be Int64, got {}",
               tensor::dtype_name(labels.dtype()));
  const int64_t K = logits.size(1);
  const std::vector<int64_t> values = labels.to_vector<int64_t>();
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  TENSOR_CHECK(*lo >= 0 && *hi < K, "[cross_entropy] labels must be in 0..{} for {} classes, got {}..{}", K - 1, K, *lo,
               *hi);
  // one_hot[i, k] = (labels_i == k), by broadcasting (N, 1) against (1, K).
  const tensor::Tensor classes =
      tensor::arange(0, static_cast<double>(K), 1, logits.dtype(), logits.device()).reshape({1, K});
  const tensor::Tensor one_hot = tensor::eq(labels.to(logits.dtype()).reshape({-1, 1}), classes);
  const autograd::Variable picked = autograd::sum(autograd::log_softmax(logits, 1) * autograd::Variable(one_hot), {1});
  return -autograd::mean(picked);
}

}  // namespace nn
