// CUDA conv2d by im2col + cuBLAS GEMM, the algorithm of tensor/cpu/conv.cpp
// (read its header first; the shape letters are the same). Differences:
// - images go through in chunks: im2col writes a chunk's columns laid out
//   (C*KH*KW, count, HO*WO) into one buffer of at most kColumnBudgetBytes,
//   and one strided-batched GEMM (the weight repeated with batch stride 0)
//   handles the chunk;
// - the weight gradient is one GEMM per chunk over count * HO*WO columns,
//   accumulated into grad_w with beta = 1 in chunk order: the same result
//   for a given chunk size on every run (no atomics, no thread partials).
// A 1x1 kernel with stride 1 and no padding needs no im2col in the forward
// and input-gradient passes: each image is its own column matrix.
#include "tensor/cuda/conv.h"

#include <cuda_runtime.h>

#include <algorithm>

#include "tensor/cuda/blas.h"
#include "tensor/cuda/kernels.h"
#include "tensor/cuda/view.h"

namespace tensor::cuda {
namespace {

constexpr int64_t kColumnBudgetBytes = int64_t(256) << 20;

ConvGeometry geometry(const Tensor& x, const Tensor& w, const Tensor& out, const Conv2dParams& p) {
  return {x.shape()[0],   x.shape()[1],   x.shape()[2], x.shape()[3], w.shape()[0], w.shape()[2], w.shape()[3],
          out.shape()[2], out.shape()[3], p.stride_h,   p.stride_w,   p.pad_h,      p.pad_w};
}

bool is_pointwise(const ConvGeometry& g) {
  return g.KH == 1 && g.KW == 1 && g.stride_h == 1 && g.stride_w == 1 && g.pad_h == 0 && g.pad_w == 0;
}

// Images per chunk: as many as fit the column budget, at least one.
int64_t chunk_images(const ConvGeometry& g, DType dtype) {
  const int64_t per_image = std::max<int64_t>(1, g.col_rows() * g.col_cols() * static_cast<int64_t>(dtype_size(dtype)));
  return std::clamp<int64_t>(kColumnBudgetBytes / per_image, 1, std::max<int64_t>(g.N, 1));
}

const char* at(const Tensor& t, int64_t elements) {
  return static_cast<const char*>(t.raw_data()) + elements * static_cast<int64_t>(dtype_size(t.dtype()));
}
char* at_mut(const Tensor& t, int64_t elements) { return const_cast<char*>(at(t, elements)); }

}  // namespace

void conv2d_forward(const Tensor& out, const Tensor& x, const Tensor& w, const Tensor& bias, const Conv2dParams& p) {
  const ConvGeometry g = geometry(x, w, out, p);
  const ScalarType dtype = scalar_type_of(x.dtype());
  const int64_t in_size = g.C * g.H * g.W, out_size = g.O * g.col_cols();
  if (out.numel() == 0) return;
  if (bias.defined()) launch_fill_bias(dtype, out.raw_data(), bias.raw_data(), g);  // then GEMM with beta = 1
  const bool pointwise = is_pointwise(g);
  const int64_t chunk = pointwise ? g.N : chunk_images(g, x.dtype());
  Tensor col = pointwise ? Tensor() : Tensor::empty({g.col_rows(), chunk, g.col_cols()}, x.dtype(), Device::CUDA);
  const GemmOperand weight{w.raw_data(), false, g.col_rows(), 0};
  for (int64_t n0 = 0; n0 < g.N; n0 += chunk) {
    const int64_t count = std::min(chunk, g.N - n0);
    GemmOperand columns{at(x, n0 * in_size), false, g.col_cols(), in_size};  // the image itself
    if (!pointwise) {
      launch_im2col(dtype, at(x, n0 * in_size), col.raw_data(), g, count);
      columns = {col.raw_data(), false, count * g.col_cols(), g.col_cols()};
    }
    // out[n] (O, HO*WO) = w (O, C*KH*KW) @ col[:, n, :]
    gemm_row_major(dtype, g.O, g.col_cols(), g.col_rows(), weight, columns, bias.defined() ? 1.0 : 0.0,
                   at_mut(out, n0 * out_size), g.col_cols(), out_size, count, "conv2d");
  }
}

void conv2d_backward_input(const Tensor& grad_x, const Tensor& grad_out, const Tensor& w, const Conv2dParams& p) {
  const ConvGeometry g = geometry(grad_x, w, grad_out, p);
  const ScalarType dtype = scalar_type_of(w.dtype());
  const int64_t in_size = g.C * g.H * g.W, out_size = g.O * g.col_cols();
  if (grad_x.numel() == 0) return;
  const bool pointwise = is_pointwise(g);
  const int64_t chunk = pointwise ? g.N : chunk_images(g, w.dtype());
  Tensor col = pointwise ? Tensor() : Tensor::empty({g.col_rows(), chunk, g.col_cols()}, w.dtype(), Device::CUDA);
  const GemmOperand weight_t{w.raw_data(), true, g.col_rows(), 0};  // w^T (C*KH*KW, O), read transposed
  for (int64_t n0 = 0; n0 < g.N; n0 += chunk) {
    const int64_t count = std::min(chunk, g.N - n0);
    const GemmOperand grads{at(grad_out, n0 * out_size), false, g.col_cols(), out_size};
    // grad_col[:, n, :] (C*KH*KW, HO*WO) = w^T @ grad_out[n]; pointwise: written straight into grad_x[n]
    if (pointwise) {
      gemm_row_major(dtype, g.col_rows(), g.col_cols(), g.O, weight_t, grads, 0.0, at_mut(grad_x, n0 * in_size),
                     g.col_cols(), in_size, count, "conv2d_backward_input");
    } else {
      gemm_row_major(dtype, g.col_rows(), g.col_cols(), g.O, weight_t, grads, 0.0, col.raw_data(), count * g.col_cols(),
                     g.col_cols(), count, "conv2d_backward_input");
      launch_col2im(dtype, col.raw_data(), at_mut(grad_x, n0 * in_size), g, count);
    }
  }
}

void conv2d_backward_weight(const Tensor& grad_w, const Tensor& grad_out, const Tensor& x, const Conv2dParams& p) {
  const ConvGeometry g = geometry(x, grad_w, grad_out, p);
  const ScalarType dtype = scalar_type_of(x.dtype());
  const int64_t in_size = g.C * g.H * g.W, out_size = g.O * g.col_cols();
  if (grad_w.numel() == 0) return;
  if (g.N == 0) {  // no images: a zero gradient
    DIFFUSE_CUDA_CHECK(cudaMemsetAsync(grad_w.raw_data(), 0, grad_w.numel() * dtype_size(grad_w.dtype()), stream()),
                       "conv2d_backward_weight");
    return;
  }
  // Every pass runs im2col, even for a 1x1 kernel (where it is a transpose
  // of x to (C, count, HO*WO)): the GEMM needs the chunk's columns side by side.
  const int64_t chunk = chunk_images(g, x.dtype());
  Tensor col = Tensor::empty({g.col_rows(), chunk, g.col_cols()}, x.dtype(), Device::CUDA);
  Tensor grads = Tensor::empty({g.O, chunk, g.col_cols()}, x.dtype(), Device::CUDA);
  for (int64_t n0 = 0; n0 < g.N; n0 += chunk) {
    const int64_t count = std::min(chunk, g.N - n0), width = count * g.col_cols();
    launch_im2col(dtype, at(x, n0 * in_size), col.raw_data(), g, count);
    launch_channel_major(dtype, at(grad_out, n0 * out_size), grads.raw_data(), g, count);
    // grad_w (O, C*KH*KW) += grads (O, count*HO*WO) @ col^T (count*HO*WO, C*KH*KW)
    gemm_row_major(dtype, g.O, g.col_rows(), width, GemmOperand{grads.raw_data(), false, width, 0},
                   GemmOperand{col.raw_data(), true, width, 0}, n0 == 0 ? 0.0 : 1.0, grad_w.raw_data(), g.col_rows(), 0,
                   1, "conv2d_backward_weight");
  }
}

}  // namespace tensor::cuda
