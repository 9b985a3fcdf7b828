// CUDA copy and fill, host side: a contiguous same-dtype copy is one
// cudaMemcpyAsync; anything else runs the strided kernel of copy.cu.
#include "tensor/cuda/copy.h"

#include "tensor/cuda/kernels.h"
#include "tensor/cuda/view.h"

namespace tensor::cuda {

void copy(const Tensor& out, const Tensor& src) {
  const int64_t n = out.numel();
  if (n == 0) return;
  if (out.dtype() == src.dtype() && out.is_contiguous() && src.is_contiguous()) {
    if (out.raw_data() == src.raw_data()) return;  // x.copy_(x): cudaMemcpy may not overlap itself
    DIFFUSE_CUDA_CHECK(cudaMemcpyAsync(out.raw_data(), src.raw_data(), n * dtype_size(out.dtype()),
                                       cudaMemcpyDeviceToDevice, stream()),
                       "copy");
    return;
  }
  launch_copy(view_of(out, "copy"), scalar_type_of(out.dtype()), view_of(src, "copy"), scalar_type_of(src.dtype()), n);
}

void fill(const Tensor& out, double value) {
  if (out.numel() == 0) return;
  launch_fill(view_of(out, "fill"), scalar_type_of(out.dtype()), value, out.numel());
}

}  // namespace tensor::cuda
