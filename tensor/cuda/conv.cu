// The CUDA kernels of conv2d besides the GEMMs (which conv.cpp runs on
// cuBLAS): im2col, its adjoint col2im, the bias fill and a transpose. Each is
// one thread per element of what it writes, so no two threads write one
// location and no atomics are needed: col2im gathers, for each pixel, the
// column entries that read it, in the order the CPU's col2im adds them.
#include "tensor/cuda/conv.h"
#include "tensor/cuda/scalar_type.cuh"
#include "tensor/cuda/strided.cuh"

namespace tensor::cuda {
namespace {

template <typename T>
__global__ void im2col_kernel(const T* img, T* col, ConvGeometry g, int64_t count) {
  const int64_t cols = g.HO * g.WO, total = g.C * g.KH * g.KW * count * cols;
  GRID_STRIDE_LOOP(e, total) {
    const int64_t s = e % cols, n = (e / cols) % count, r = e / (cols * count);
    const int64_t kw = r % g.KW, kh = (r / g.KW) % g.KH, c = r / (g.KW * g.KH);
    const int64_t ih = (s / g.WO) * g.stride_h - g.pad_h + kh;
    const int64_t iw = (s % g.WO) * g.stride_w - g.pad_w + kw;
    const bool inside = ih >= 0 && ih < g.H && iw >= 0 && iw < g.W;
    col[e] = inside ? img[((n * g.C + c) * g.H + ih) * g.W + iw] : T(0);
  }
}

template <typename T>
__global__ void col2im_kernel(const T* col, T* img, ConvGeometry g, int64_t count) {
  const int64_t cols = g.HO * g.WO, total = count * g.C * g.H * g.W;
  GRID_STRIDE_LOOP(e, total) {
    const int64_t iw = e % g.W, ih = (e / g.W) % g.H, c = (e / (g.W * g.H)) % g.C, n = e / (g.W * g.H * g.C);
    T sum = T(0);
    for (int64_t kh = 0; kh < g.KH; ++kh) {
      const int64_t oh_strided = ih + g.pad_h - kh;  // = oh * stride_h for the output row that read this pixel
      if (oh_strided < 0 || oh_strided % g.stride_h != 0 || oh_strided / g.stride_h >= g.HO) continue;
      const int64_t oh = oh_strided / g.stride_h;
      for (int64_t kw = 0; kw < g.KW; ++kw) {
        const int64_t ow_strided = iw + g.pad_w - kw;
        if (ow_strided < 0 || ow_strided % g.stride_w != 0 || ow_strided / g.stride_w >= g.WO) continue;
        const int64_t r = (c * g.KH + kh) * g.KW + kw, s = oh * g.WO + ow_strided / g.stride_w;
        sum += col[(r * count + n) * cols + s];
      }
    }
    img[e] = sum;
  }
}

template <typename T>
__global__ void fill_bias_kernel(T* out, const T* bias, ConvGeometry g) {
  const int64_t cols = g.HO * g.WO, total = g.N * g.O * cols;
  GRID_STRIDE_LOOP(e, total) { out[e] = bias[(e / cols) % g.O]; }
}

template <typename T>
__global__ void channel_major_kernel(const T* src, T* dst, ConvGeometry g, int64_t count) {
  const int64_t cols = g.HO * g.WO, total = g.O * count * cols;
  GRID_STRIDE_LOOP(e, total) {
    const int64_t s = e % cols, n = (e / cols) % count, o = e / (cols * count);
    dst[e] = src[(n * g.O + o) * cols + s];
  }
}

}  // namespace

void launch_im2col(ScalarType dtype, const void* img, void* col, const ConvGeometry& g, int64_t count) {
  with_float_type(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    im2col_kernel<T><<<blocks_for(g.col_rows() * count * g.col_cols()), kBlockSize, 0, stream()>>>(
        static_cast<const T*>(img), static_cast<T*>(col), g, count);
  });
  DIFFUSE_CUDA_CHECK_LAUNCH("conv2d im2col");
}

void launch_col2im(ScalarType dtype, const void* col, void* img, const ConvGeometry& g, int64_t count) {
  with_float_type(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    col2im_kernel<T><<<blocks_for(count * g.C * g.H * g.W), kBlockSize, 0, stream()>>>(static_cast<const T*>(col),
                                                                                       static_cast<T*>(img), g, count);
  });
  DIFFUSE_CUDA_CHECK_LAUNCH("conv2d col2im");
}

void launch_fill_bias(ScalarType dtype, void* out, const void* bias, const ConvGeometry& g) {
  with_float_type(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    fill_bias_kernel<T><<<blocks_for(g.N * g.O * g.col_cols()), kBlockSize, 0, stream()>>>(
        static_cast<T*>(out), static_cast<const T*>(bias), g);
  });
  DIFFUSE_CUDA_CHECK_LAUNCH("conv2d bias");
}

void launch_channel_major(ScalarType dtype, const void* src, void* dst, const ConvGeometry& g, int64_t count) {
  with_float_type(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    channel_major_kernel<T><<<blocks_for(g.O * count * g.col_cols()), kBlockSize, 0, stream()>>>(
        static_cast<const T*>(src), static_cast<T*>(dst), g, count);
  });
  DIFFUSE_CUDA_CHECK_LAUNCH("conv2d_backward_weight");
}

}  // namespace tensor::cuda
