// CUDA reductions and softmax, host side: split the input's dims into kept
// and reduced views, then reduce.cu.
#include "tensor/cuda/reduce.h"

#include "tensor/cuda/kernels.h"
#include "tensor/cuda/view.h"

namespace tensor::cuda {

void reduce(ReduceOp op, const Tensor& out, const Tensor& in, const std::vector<bool>& reduced) {
  if (out.numel() == 0) return;
  Shape kept_sizes, kept_strides, red_sizes, red_strides;
  for (int64_t d = 0; d < in.dim(); ++d) {
    (reduced[d] ? red_sizes : kept_sizes).push_back(in.shape()[d]);
    (reduced[d] ? red_strides : kept_strides).push_back(in.strides()[d]);
  }
  const StridedView kept = make_view(in.raw_data(), kept_sizes, kept_strides, "reduce");
  const StridedView red = make_view(in.raw_data(), red_sizes, red_strides, "reduce");
  launch_reduce(op, scalar_type_of(in.dtype()), out.raw_data(), kept, red, out.numel(), numel_of(red_sizes));
}

void softmax_lastdim(const Tensor& out, const Tensor& in, bool log) {
  const int64_t cols = in.shape().empty() ? 1 : in.shape().back();
  const int64_t rows = cols == 0 ? 0 : in.numel() / cols;
  if (rows == 0) return;
  launch_softmax_lastdim(scalar_type_of(in.dtype()), out.raw_data(), in.raw_data(), rows, cols, log);
}

}  // namespace tensor::cuda
