// timestep_embedding, computed in float32 in the same order of operations as
// the PyTorch reference: (-ln(10000) * i) / (half - 1), then exp, then t * freq.
// Why it matters: t reaches 999, so a one-ulp difference in freq moves
// sin(t * freq) by up to ~1e-4; computing each step in float32 like PyTorch
// keeps us within float rounding of the reference.
#include "nn/layers/timestep_embedding.h"

#include <cmath>
#include <vector>

#include "tensor/ops.h"

namespace nn {

tensor::Tensor timestep_embedding(const tensor::Tensor& t, int64_t dim) {
  TENSOR_CHECK(t.dim() == 1, "[timestep_embedding] t should be (N,), got {}", tensor::shape_str(t.shape()));
  TENSOR_CHECK(dim >= 4 && dim % 2 == 0, "[timestep_embedding] dim must be even and >= 4, got {}", dim);
  const int64_t n = t.size(0), half = dim / 2;
  // The half frequencies are made on the host (a constant of the layer) and
  // copied to t's device; the products and sin/cos run where t lives.
  std::vector<float> freqs(half);
  const float neg_log_10000 = static_cast<float>(-std::log(10000.0));
  for (int64_t i = 0; i < half; ++i)
    freqs[i] = std::exp(static_cast<float>(i) * neg_log_10000 / static_cast<float>(half - 1));
  const tensor::Tensor freq_row = tensor::from_vector(freqs, {1, half}, tensor::DType::Float32, t.device());
  const tensor::Tensor arg = t.to(tensor::DType::Float32).reshape({n, 1}) * freq_row;  // (N, half), t * freq_i
  return tensor::cat({tensor::sin(arg), tensor::cos(arg)}, 1);
}

}  // namespace nn
