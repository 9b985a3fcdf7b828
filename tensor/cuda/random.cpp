// CUDA random fills, host side (the front-end has checked: contiguous, floating).
#include "tensor/cuda/random.h"

#include "tensor/cuda/kernels.h"
#include "tensor/cuda/view.h"

namespace tensor::cuda {

void random_fill(const Tensor& out, RandomKind kind, uint64_t seed, uint64_t stream) {
  if (out.numel() == 0) return;
  launch_random_fill(out.raw_data(), scalar_type_of(out.dtype()), kind, seed, stream, out.numel());
}

}  // namespace tensor::cuda
