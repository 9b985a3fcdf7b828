// The sinusoidal timestep embedding of the DDPM paper (as in the reference
// models): for t (N,) and an even dim = 2 * half,
//   freq_i = exp(-ln(10000) * i / (half - 1)),  i = 0 .. half-1
//   emb(t) = [sin(t * freq_0 .. t * freq_{half-1}), cos(t * freq_0 .. )]   (N, dim)
// t holds timestep labels (integers or continuous times); the embedding is
// not differentiated with respect to t.
#pragma once
#include "tensor/tensor.h"

namespace nn {

tensor::Tensor timestep_embedding(const tensor::Tensor& t, int64_t dim);

}  // namespace nn
