// Front-ends of conv2d (and its two backward kernels) and nearest upsampling.
#include "tensor/dispatch.h"
#include "tensor/ops.h"

namespace tensor {
namespace {

int64_t conv_out_size(int64_t in, int64_t k, int64_t stride, int64_t pad) { return (in + 2 * pad - k) / stride + 1; }

void check_conv_args(const Tensor& x, const Tensor& w, int64_t stride, int64_t padding) {
  check_same_dtype_device("conv2d", x, w);
  TENSOR_CHECK(is_floating(x.dtype()), "[conv2d] expects float32 or float64, got {}", dtype_name(x.dtype()));
  TENSOR_CHECK(x.dim() == 4, "[conv2d] input must be (N, C, H, W), got {}", shape_str(x.shape()));
  TENSOR_CHECK(w.dim() == 4, "[conv2d] weight must be (O, C, KH, KW), got {}", shape_str(w.shape()));
  TENSOR_CHECK(x.size(1) == w.size(1), "[conv2d] input {} has {} channels, weight {} expects {}", shape_str(x.shape()),
               x.size(1), shape_str(w.shape()), w.size(1));
  TENSOR_CHECK(stride >= 1 && padding >= 0, "[conv2d] need stride >= 1 and padding >= 0, got {} and {}", stride,
               padding);
  TENSOR_CHECK(x.size(2) + 2 * padding >= w.size(2) && x.size(3) + 2 * padding >= w.size(3),
               "[conv2d] kernel {}x{} is larger than the padded input {}x{}", w.size(2), w.size(3),
               x.size(2) + 2 * padding, x.size(3) + 2 * padding);
}

Conv2dParams params(int64_t stride, int64_t padding) { return {stride, stride, padding, padding}; }

}  // namespace

Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& bias, int64_t stride, int64_t padding) {
  check_conv_args(x, w, stride, padding);
  if (bias.defined()) {
    check_same_dtype_device("conv2d", x, bias);
    TENSOR_CHECK(bias.dim() == 1 && bias.size(0) == w.size(0), "[conv2d] bias {} does not match {} output channels",
                 shape_str(bias.shape()), w.size(0));
  }
  const Shape out_shape{x.size(0), w.size(0), conv_out_size(x.size(2), w.size(2), stride, padding),
                        conv_out_size(x.size(3), w.size(3), stride, padding)};
  Tensor out = Tensor::empty(out_shape, x.dtype(), x.device());
  TENSOR_DISPATCH(x.device(), conv2d_forward, out, x.contiguous(), w.contiguous(),
                  bias.defined() ? bias.contiguous() : bias, params(stride, padding));
  return out;
}

Tensor conv2d_backward_input(const Tensor& grad_out, const Tensor& w, const Shape& x_shape, int64_t stride,
                             int64_t padding) {
  check_same_dtype_device("conv2d_backward_input", grad_out, w);
  Tensor grad_x = Tensor::empty(x_shape, w.dtype(), w.device());
  TENSOR_DISPATCH(w.device(), conv2d_backward_input, grad_x, grad_out.contiguous(), w.contiguous(),
                  params(stride, padding));
  return grad_x;
}

Tensor conv2d_backward_weight(const Tensor& grad_out, const Tensor& x, const Shape& w_shape, int64_t stride,
                              int64_t padding) {
  check_same_dtype_device("conv2d_backward_weight", grad_out, x);
  Tensor grad_w = Tensor::empty(w_shape, x.dtype(), x.device());
  TENSOR_DISPATCH(x.device(), conv2d_backward_weight, grad_w, grad_out.contiguous(), x.contiguous(),
                  params(stride, padding));
  return grad_w;
}

// Upsampling is a view and a copy: the output (N, C, H s, W s) seen as
// (N, C, H, s, W, s) is pixel x[n, c, h, w] repeated in an s x s block, so
// copying (N, C, H, 1, W, 1) expanded to that shape fills it. The copy runs
// with the image columns w innermost (the output's dims permuted to
// (N, C, H, s, s, W)): runs of W elements, s apart in the output, rather
// than runs of s (two) repeats of one pixel, each a step of the strided loop.
Tensor upsample_nearest2d(const Tensor& x, int64_t scale) {
  TENSOR_CHECK(x.dim() == 4, "[upsample_nearest2d] input must be (N, C, H, W), got {}", shape_str(x.shape()));
  TENSOR_CHECK(scale >= 1, "[upsample_nearest2d] scale must be >= 1, got {}", scale);
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  Tensor out = Tensor::empty({N, C, H * scale, W * scale}, x.dtype(), x.device());
  out.view({N, C, H, scale, W, scale})
      .permute({0, 1, 2, 3, 5, 4})
      .copy_(x.reshape({N, C, H, 1, 1, W}).expand({N, C, H, scale, scale, W}));
  return out;
}

// The adjoint: each input pixel receives the sum of its s x s block.
Tensor upsample_nearest2d_backward(const Tensor& grad_out, int64_t scale) {
  TENSOR_CHECK(scale >= 1, "[upsample_nearest2d_backward] scale must be >= 1, got {}", scale);
  TENSOR_CHECK(grad_out.dim() == 4 && grad_out.size(2) % scale == 0 && grad_out.size(3) % scale == 0,
               "[upsample_nearest2d_backward] gradient {} is not a multiple of scale {}", shape_str(grad_out.shape()),
               scale);
  const int64_t N = grad_out.size(0), C = grad_out.size(1), H = grad_out.size(2) / scale, W = grad_out.size(3) / scale;
  return sum(grad_out.reshape({N, C, H, scale, W, scale}), {3, 5});
}

}  // namespace tensor
