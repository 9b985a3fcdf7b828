// CPU conv2d by im2col + GEMM. Shapes: N batch, C input channels, H W input
// size, O output channels, KH KW kernel size, HO WO output size.
//
// im2col unrolls the receptive fields of one image into a matrix
// col (C*KH*KW, HO*WO), so the convolution becomes one GEMM
//   out[n] (O, HO*WO) = w (O, C*KH*KW) @ col.
// The backward pass is two more GEMMs: grad_w += grad_out[n] @ col^T, and
// grad_col = w^T @ grad_out[n], which col2im scatters (adds) back to the image.
// A 1x1 kernel with stride 1 and no padding needs no im2col: col is the image.
//
// Threads: images are split over the OpenMP threads, each with its own col
// buffer and a single-threaded GEMM (Note [Threads] in parallel.h); with
// fewer images than threads, the images run in turn with a threaded GEMM.
#include <cblas.h>

#include <algorithm>

#include "tensor/cpu/kernels.h"
#include "tensor/cpu/parallel.h"

namespace tensor::cpu {
namespace {

struct Geometry {
  int64_t N, C, H, W, O, KH, KW, HO, WO;
  int64_t col_rows() const { return C * KH * KW; }
  int64_t col_cols() const { return HO * WO; }
};

Geometry geometry(const Tensor& x, const Tensor& w, const Tensor& out) {
  return {x.shape()[0], x.shape()[1], x.shape()[2], x.shape()[3], w.shape()[0],
          w.shape()[2], w.shape()[3], out.shape()[2], out.shape()[3]};
}

bool is_pointwise(const Geometry& g, const Conv2dParams& p) {
  return g.KH == 1 && g.KW == 1 && p.stride_h == 1 && p.stride_w == 1 && p.pad_h == 0 && p.pad_w == 0;
}

// The output columns [begin, end) whose input column ow * stride - pad + k
// lies inside [0, size_in); the others read the zero padding. Working out
// the range once per kernel column takes the bounds test out of the inner
// loops, which then copy (im2col) or add (col2im) plain runs of pixels.
struct Span {
  int64_t begin, end;
};
Span valid_columns(int64_t k, int64_t size_in, int64_t size_out, int64_t stride, int64_t pad) {
  auto ceil_div = [](int64_t a, int64_t b) { return a <= 0 ? int64_t(0) : (a + b - 1) / b; };
  const int64_t begin = std::min(size_out, ceil_div(pad - k, stride));
  const int64_t end = std::clamp(ceil_div(size_in + pad - k, stride), begin, size_out);
  return {begin, end};
}

template <typename T>
void im2col(const T* img, T* col, const Geometry& g, const Conv2dParams& p) {
  for (int64_t c = 0; c < g.C; ++c)
    for (int64_t kh = 0; kh < g.KH; ++kh)
      for (int64_t kw = 0; kw < g.KW; ++kw) {
        T* row = col + ((c * g.KH + kh) * g.KW + kw) * g.col_cols();
        const Span cols = valid_columns(kw, g.W, g.WO, p.stride_w, p.pad_w);
        for (int64_t oh = 0; oh < g.HO; ++oh) {
          const int64_t ih = oh * p.stride_h - p.pad_h + kh;
          T* dst = row + oh * g.WO;
          if (ih < 0 || ih >= g.H) {
            std::fill(dst, dst + g.WO, T(0));
            continue;
          }
          // Output column ow reads input column ow * stride + shift.
          const T* src = img + (c * g.H + ih) * g.W;
          const int64_t shift = kw - p.pad_w;
          std::fill(dst, dst + cols.begin, T(0));
          if (p.stride_w == 1) {
            std::copy(src + cols.begin + shift, src + cols.end + shift, dst + cols.begin);
          } else {
            for (int64_t ow = cols.begin; ow < cols.end; ++ow) dst[ow] = src[ow * p.stride_w + shift];
          }
          std::fill(dst + cols.end, dst + g.WO, T(0));
        }
      }
}

// The adjoint of im2col: adds each column entry back to the pixel it came from.
template <typename T>
void col2im(const T* col, T* img, const Geometry& g, const Conv2dParams& p) {
  std::fill(img, img + g.C * g.H * g.W, T(0));
  for (int64_t c = 0; c < g.C; ++c)
    for (int64_t kh = 0; kh < g.KH; ++kh)
      for (int64_t kw = 0; kw < g.KW; ++kw) {
        const T* row = col + ((c * g.KH + kh) * g.KW + kw) * g.col_cols();
        const Span cols = valid_columns(kw, g.W, g.WO, p.stride_w, p.pad_w);
        for (int64_t oh = 0; oh < g.HO; ++oh) {
          const int64_t ih = oh * p.stride_h - p.pad_h + kh;
          if (ih < 0 || ih >= g.H) continue;
          T* dst = img + (c * g.H + ih) * g.W;
          const T* src = row + oh * g.WO;
          const int64_t shift = kw - p.pad_w;  // column ow came from input column ow * stride + shift
          if (p.stride_w == 1) {
            for (int64_t ow = cols.begin; ow < cols.end; ++ow) dst[ow + shift] += src[ow];
          } else {
            for (int64_t ow = cols.begin; ow < cols.end; ++ow) dst[ow * p.stride_w + shift] += src[ow];
          }
        }
      }
}

template <typename T>
void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int64_t M, int64_t N, int64_t K, const T* A, const T* B,
          T beta, T* C) {
  const int64_t lda = ta == CblasNoTrans ? K : M, ldb = tb == CblasNoTrans ? N : K;
  if constexpr (std::is_same_v<T, float>)
    cblas_sgemm(CblasRowMajor, ta, tb, M, N, K, 1.0f, A, lda, B, ldb, beta, C, N);
  else
    cblas_dgemm(CblasRowMajor, ta, tb, M, N, K, 1.0, A, lda, B, ldb, beta, C, N);
}

// Runs body(n, scratch) for every image n, over threads as described above;
// scratch is a per-thread buffer of scratch_size elements.
template <typename T, typename Body>
void for_each_image(int64_t N, int64_t scratch_size, Body&& body) {
  const int threads = omp_get_max_threads();
  if (N >= threads && threads > 1) {
#pragma omp parallel num_threads(threads)
    {
      std::vector<T> scratch(scratch_size);
#pragma omp for schedule(static)
      for (int64_t n = 0; n < N; ++n) body(n, scratch.data(), omp_get_thread_num());
    }
  } else {
    std::vector<T> scratch(scratch_size);
    for (int64_t n = 0; n < N; ++n) body(n, scratch.data(), 0);
  }
}

template <typename T>
void forward_typed(const Tensor& out, const Tensor& x, const Tensor& w, const Tensor& bias, const Conv2dParams& p) {
  const Geometry g = geometry(x, w, out);
  const bool pointwise = is_pointwise(g, p);
  const T* px = x.data<T>();
  const T* pw = w.data<T>();
  const T* pb = bias.defined() ? bias.data<T>() : nullptr;
  T* po = out.data<T>();
  const int64_t in_size = g.C * g.H * g.W, out_size = g.O * g.col_cols();
  for_each_image<T>(g.N, pointwise ? 0 : g.col_rows() * g.col_cols(), [&](int64_t n, T* col, int) {
    const T* img = px + n * in_size;
    if (!pointwise) im2col(img, col, g, p);
    T* o = po + n * out_size;
    if (pb) {  // start from the bias, then accumulate the GEMM (beta = 1)
      for (int64_t oc = 0; oc < g.O; ++oc) std::fill(o + oc * g.col_cols(), o + (oc + 1) * g.col_cols(), pb[oc]);
    }
    gemm<T>(CblasNoTrans, CblasNoTrans, g.O, g.col_cols(), g.col_rows(), pw, pointwise ? img : col,
            pb ? T(1) : T(0), o);
  });
}

template <typename T>
void backward_input_typed(const Tensor& grad_x, const Tensor& grad_out, const Tensor& w, const Conv2dParams& p) {
  const Geometry g = geometry(grad_x, w, grad_out);
  const bool pointwise = is_pointwise(g, p);
  const T* pw = w.data<T>();
  const T* pg = grad_out.data<T>();
  T* pgx = grad_x.data<T>();
  const int64_t in_size = g.C * g.H * g.W, out_size = g.O * g.col_cols();
  for_each_image<T>(g.N, pointwise ? 0 : g.col_rows() * g.col_cols(), [&](int64_t n, T* col, int) {
    T* gx = pgx + n * in_size;
    gemm<T>(CblasTrans, CblasNoTrans, g.col_rows(), g.col_cols(), g.O, pw, pg + n * out_size, T(0),
            pointwise ? gx : col);
    if (!pointwise) col2im(col, gx, g, p);
  });
}

template <typename T>
void backward_weight_typed(const Tensor& grad_w, const Tensor& grad_out, const Tensor& x, const Conv2dParams& p) {
  const Geometry g = geometry(x, grad_w, grad_out);
  const bool pointwise = is_pointwise(g, p);
  const T* px = x.data<T>();
  const T* pg = grad_out.data<T>();
  const int64_t w_size = g.O * g.col_rows();
  const int64_t in_size = g.C * g.H * g.W, out_size = g.O * g.col_cols();
  // One accumulator per thread; summed at the end.
  const int threads = omp_get_max_threads();
  std::vector<T> partial(static_cast<size_t>(threads) * w_size, T(0));
  for_each_image<T>(g.N, pointwise ? 0 : g.col_rows() * g.col_cols(), [&](int64_t n, T* col, int thread) {
    const T* img = px + n * in_size;
    if (!pointwise) im2col(img, col, g, p);
    gemm<T>(CblasNoTrans, CblasTrans, g.O, g.col_rows(), g.col_cols(), pg + n * out_size, pointwise ? img : col,
            T(1), partial.data() + thread * w_size);
  });
  T* gw = grad_w.data<T>();
  std::fill(gw, gw + w_size, T(0));
  for (int t = 0; t < threads; ++t)
    for (int64_t i = 0; i < w_size; ++i) gw[i] += partial[t * w_size + i];
}

}  // namespace

void conv2d_forward(const Tensor& out, const Tensor& x, const Tensor& w, const Tensor& bias, const Conv2dParams& p) {
  dispatch_float(x.dtype(), "conv2d", [&](auto tag) { forward_typed<typename decltype(tag)::type>(out, x, w, bias, p); });
}
void conv2d_backward_input(const Tensor& grad_x, const Tensor& grad_out, const Tensor& w, const Conv2dParams& p) {
  dispatch_float(w.dtype(), "conv2d_backward_input",
                 [&](auto tag) { backward_input_typed<typename decltype(tag)::type>(grad_x, grad_out, w, p); });
}
void conv2d_backward_weight(const Tensor& grad_w, const Tensor& grad_out, const Tensor& x, const Conv2dParams& p) {
  dispatch_float(x.dtype(), "conv2d_backward_weight",
                 [&](auto tag) { backward_weight_typed<typename decltype(tag)::type>(grad_w, grad_out, x, p); });
}

}  // namespace tensor::cpu
