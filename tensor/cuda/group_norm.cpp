// CUDA GroupNorm (+ SiLU): unpacks the tensors for group_norm.cu. The
// front-end (tensor/norm.cpp) made every input contiguous.
#include "tensor/cuda/group_norm.h"

#include <algorithm>

#include "tensor/cuda/kernels.h"
#include "tensor/cuda/view.h"

namespace tensor::cuda {
namespace {

GroupNormGeometry geometry(const Tensor& x, int64_t groups) {
  const int64_t N = x.size(0), C = x.size(1);
  return {N, C, x.numel() / std::max<int64_t>(1, N * C), groups};
}

void* data_or_null(const Tensor& t) { return t.defined() ? t.raw_data() : nullptr; }

}  // namespace

void group_norm_forward(const Tensor& out, const Tensor& mean, const Tensor& rstd, const Tensor& x,
                        const Tensor& weight, const Tensor& bias, int64_t groups, double eps, bool silu) {
  launch_group_norm_forward(scalar_type_of(x.dtype()), out.raw_data(), mean.raw_data(), rstd.raw_data(), x.raw_data(),
                            data_or_null(weight), data_or_null(bias), geometry(x, groups), eps, silu);
}

void group_norm_backward(const Tensor& grad_x, const Tensor& grad_weight, const Tensor& grad_bias,
                         const Tensor& grad_out, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                         const Tensor& weight, const Tensor& bias, int64_t groups, bool silu) {
  const GroupNormGeometry g = geometry(x, groups);
  // Per-(n, c) sums for dw and db, summed over n by a second kernel.
  Tensor sum_dy, sum_dy_xhat;
  if (grad_weight.defined() || grad_bias.defined()) {
    sum_dy = Tensor::empty({g.N, g.C}, DType::Float64, Device::CUDA);
    sum_dy_xhat = Tensor::empty({g.N, g.C}, DType::Float64, Device::CUDA);
  }
  launch_group_norm_backward(
      scalar_type_of(x.dtype()), grad_x.raw_data(), data_or_null(grad_weight), data_or_null(grad_bias),
      grad_out.raw_data(), x.raw_data(), mean.raw_data(), rstd.raw_data(), data_or_null(weight), data_or_null(bias),
      static_cast<double*>(data_or_null(sum_dy)), static_cast<double*>(data_or_null(sum_dy_xhat)), g, silu);
}

}  // namespace tensor::cuda
