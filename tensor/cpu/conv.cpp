// CPU conv2d by im2col + GEMM. Shapes: N batch, C input channels, H W input
// size, O output channels, KH KW kernel size, HO WO output size.
//
// im2col unrolls the receptive fields of one image into a matrix
// col (C*KH*KW, HO*WO), so the convolution becomes one GEMM
//   out[n] (O, HO*WO) = w (O, C*KH*KW) @ col.
// The backward pass is two more GEMMs: grad_w += grad_out[n] @ col^T, and
// the input gradient, which with stride 1 is a convolution of grad_out
// (Note [Input gradient as a convolution]) and otherwise
// grad_col = w^T @ grad_out[n], which col2im scatters (adds) back to the image.
// A 1x1 kernel with stride 1 and no padding needs no im2col: col is the image.
// Float32 3x3 convolutions with padding 1 on images and channel counts large
// enough take Winograd's algorithms instead (conv_winograd.h): F(2x2, 3x3)
// forward and as the input gradient's convolution, F(3x3, 2x2) for the
// weight gradient; 2.25 times fewer multiply-adds.
//
// Threads (Note [Same bits for any thread count] in parallel.h): the forward
// and input-gradient passes are one task per image, each with its own col
// buffer and a single-threaded GEMM (a batch smaller than the thread count
// leaves threads idle rather than call a threaded GEMM, whose bits differ).
// One GEMM per image also keeps an image's bits independent of the batch it
// is in (Note [One image per GEMM]).
// The weight gradient sums over images: one task per fixed group of images,
// the groups' partial sums added in group order.
#include <algorithm>
#include <memory>
#include <type_traits>

#include "tensor/cpu/blas.h"
#include "tensor/cpu/conv_winograd.h"
#include "tensor/cpu/kernels.h"
#include "tensor/cpu/parallel.h"
#include "tensor/cpu/rearrange.h"

namespace tensor::cpu {
namespace {

struct Geometry {
  int64_t N, C, H, W, O, KH, KW, HO, WO;
  int64_t col_rows() const { return C * KH * KW; }
  int64_t col_cols() const { return HO * WO; }
  int64_t col_size() const { return col_rows() * col_cols(); }
};

Geometry geometry(const Tensor& x, const Tensor& w, const Tensor& out) {
  return {x.shape()[0], x.shape()[1], x.shape()[2],   x.shape()[3],  w.shape()[0],
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

// Stride 1 with as many output columns as input columns (the U-Net's 3x3
// convolutions, padding 1): entry j = oh * W + ow of a row of col reads input
// pixel j + (kh - pad_h) * W + (kw - pad_w) of its channel. So the valid
// rows are one copy, from the first valid pixel to the last, and only the
// few entries that read the padding (whose source wrapped into a neighbouring
// row) are zeroed after. One long copy instead of a short one per output row:
// the per-row copies were calls of a few dozen floats each.
template <typename T>
void im2col_same_width(const T* img, T* col, const Geometry& g, const Conv2dParams& p) {
  const int64_t plane = g.col_cols();
  for (int64_t c = 0; c < g.C; ++c)
    for (int64_t kh = 0; kh < g.KH; ++kh) {
      const Span rows = valid_columns(kh, g.H, g.HO, 1, p.pad_h);
      for (int64_t kw = 0; kw < g.KW; ++kw) {
        T* row = col + ((c * g.KH + kh) * g.KW + kw) * plane;
        const Span cols = valid_columns(kw, g.W, g.WO, 1, p.pad_w);
        if (rows.begin >= rows.end || cols.begin >= cols.end) {
          std::fill(row, row + plane, T(0));
          continue;
        }
        const T* channel = img + c * g.H * g.W;
        const int64_t shift = (kh - p.pad_h) * g.W + (kw - p.pad_w);
        const int64_t first = rows.begin * g.WO + cols.begin, last = (rows.end - 1) * g.WO + cols.end;
        std::fill(row, row + first, T(0));
        std::copy(channel + first + shift, channel + last + shift, row + first);
        std::fill(row + last, row + plane, T(0));
        for (int64_t oh = rows.begin; oh < rows.end; ++oh) {
          T* dst = row + oh * g.WO;
          for (int64_t ow = 0; ow < cols.begin; ++ow) dst[ow] = T(0);
          for (int64_t ow = cols.end; ow < g.WO; ++ow) dst[ow] = T(0);
        }
      }
    }
}

// Note [Stride-2 im2col by phases]
// The U-Net's downsampling convolutions (3x3, stride 2, padding 1) read every
// other pixel: entry (kh, kw, oh, ow) of col is x[2 oh + kh - 1][2 ow + kw - 1],
// and gathering it run by run (WO floats apart by two, 7 at 14x14) took a
// quarter of those convolutions' time. Split by row and column parity into
// four HO x WO phase planes, P[py][px][i][j] = x[2i + py][2j + px] (zero past
// the image), the entry is P[py][px][oh + dy][ow + dx] with
//   kh = 0: py = 1, dy = -1;   kh = 1: py = 0, dy = 0;   kh = 2: py = 1, dy = 0
// (and kw, px, dx alike): every row of col is one phase plane shifted by
// dy WO + dx, which is one copy plus zeros where the shift reads before the
// plane or wraps into the row above, as in im2col_same_width.
bool is_stride2_3x3(const Geometry& g, const Conv2dParams& p) {
  return g.KH == 3 && g.KW == 3 && p.stride_h == 2 && p.stride_w == 2 && p.pad_h == 1 && p.pad_w == 1;
}

// The four phase planes of one channel, P[py][px] at planes + (2 py + px) HO WO.
template <typename T>
void split_phases(const T* channel, T* planes, const Geometry& g) {
  const int64_t plane = g.HO * g.WO;
  for (int64_t py = 0; py < 2; ++py)
    for (int64_t i = 0; i < g.HO; ++i) {
      T* even = planes + (2 * py) * plane + i * g.WO;  // px = 0
      T* odd = even + plane;                           // px = 1
      const int64_t y = 2 * i + py;
      if (y >= g.H) {  // an odd height's last row of odd rows: below the image
        std::fill(even, even + g.WO, T(0));
        std::fill(odd, odd + g.WO, T(0));
        continue;
      }
      split_columns(channel + y * g.W, g.W, even, odd);
      if (g.W % 2) odd[g.WO - 1] = T(0);  // an odd width has one odd column fewer than even ones
    }
}

template <typename T>
void im2col_stride2(const T* img, T* col, T* planes, const Geometry& g) {
  const int64_t plane = g.HO * g.WO;
  for (int64_t c = 0; c < g.C; ++c) {
    split_phases(img + c * g.H * g.W, planes, g);
    for (int64_t kh = 0; kh < 3; ++kh)
      for (int64_t kw = 0; kw < 3; ++kw) {
        const int64_t py = kh == 1 ? 0 : 1, px = kw == 1 ? 0 : 1;
        const int64_t first =
            (kh == 0 ? g.WO : 0) + (kw == 0 ? 1 : 0);  // -(dy WO + dx): entries before it read before the plane
        const T* src = planes + (2 * py + px) * plane;
        T* row = col + ((c * 3 + kh) * 3 + kw) * plane;
        std::fill(row, row + std::min(first, plane), T(0));
        if (first < plane) std::copy(src, src + plane - first, row + first);
        if (kw == 0)  // ow = 0 reads the padding, not the last column of the row above
          for (int64_t oh = 0; oh < g.HO; ++oh) row[oh * g.WO] = T(0);
      }
  }
}

// The adjoint: each entry added to its phase plane (the ones im2col_stride2
// set to zero, which read the padding, are left out), the planes then put
// back in place. Every pixel adds its entries in (kh, kw) order, as col2im.
template <typename T>
void col2im_stride2(const T* col, T* img, T* planes, const Geometry& g) {
  const int64_t plane = g.HO * g.WO;
  for (int64_t c = 0; c < g.C; ++c) {
    std::fill(planes, planes + 4 * plane, T(0));
    for (int64_t kh = 0; kh < 3; ++kh)
      for (int64_t kw = 0; kw < 3; ++kw) {
        const int64_t py = kh == 1 ? 0 : 1, px = kw == 1 ? 0 : 1, dy = kh == 0 ? 1 : 0, dx = kw == 0 ? 1 : 0;
        T* dst = planes + (2 * py + px) * plane;
        const T* row = col + ((c * 3 + kh) * 3 + kw) * plane;
        for (int64_t oh = dy; oh < g.HO; ++oh)
          for (int64_t ow = dx; ow < g.WO; ++ow) dst[(oh - dy) * g.WO + ow - dx] += row[oh * g.WO + ow];
      }
    T* channel = img + c * g.H * g.W;
    for (int64_t y = 0; y < g.H; ++y) {
      const T* p_row = planes + (2 * (y % 2)) * plane + (y / 2) * g.WO;
      for (int64_t x = 0; x < g.W; ++x) channel[y * g.W + x] = p_row[(x % 2) * plane + x / 2];
    }
  }
}

template <typename T>
void im2col(const T* img, T* col, T* planes, const Geometry& g, const Conv2dParams& p) {
  if (p.stride_h == 1 && p.stride_w == 1 && g.WO == g.W) return im2col_same_width(img, col, g, p);
  if (is_stride2_3x3(g, p)) return im2col_stride2(img, col, planes, g);
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
void col2im(const T* col, T* img, T* planes, const Geometry& g, const Conv2dParams& p) {
  if (is_stride2_3x3(g, p)) return col2im_stride2(col, img, planes, g);
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

// What a task needs beside the image: col, and the phase planes of one
// channel (Note [Stride-2 im2col by phases]).
int64_t col_scratch_size(const Geometry& g, const Conv2dParams& p) {
  if (is_pointwise(g, p)) return 0;
  return g.col_size() + (is_stride2_3x3(g, p) ? 4 * g.HO * g.WO : 0);
}

// Note [One image per GEMM]: every forward and input-gradient GEMM covers
// one image, so an image's output and input gradient are the same bits
// whether it is convolved alone or in a batch, whatever the batch's size and
// whichever images share it: a batch cut into chunks (a sampler run chunk by
// chunk) gives each image the same result. Putting several small images'
// im2col matrices side by side in one wider GEMM was tried and was faster at
// 7x7 and 14x14 (docs/benchmarks.md), but OpenBLAS rounds a column of a
// product differently at different widths of the product, so an image's bits
// then depended on which images shared its GEMM.
// tests/tensor/indexing_linalg_test.cpp checks a batch against its images one
// by one and in chunks.

// out (N, O, HO, WO) = conv(x (N, C, H, W), w (O, C, KH, KW)) + bias (or none).
template <typename T>
void convolve(const Geometry& g, const Conv2dParams& p, const T* px, const T* pw, const T* pb, T* po) {
  if constexpr (std::is_same_v<T, float>) {
    if (winograd_applies(g.C, g.O, g.KH, g.KW, p.stride_h, p.stride_w, p.pad_h, p.pad_w, g.H, g.W))
      return winograd_conv3x3(g.N, g.C, g.H, g.W, g.O, px, pw, pb, po);
  }
  const bool pointwise = is_pointwise(g, p);
  const int64_t in_size = g.C * g.H * g.W, out_size = g.O * g.col_cols();
  parallel_tasks<T>(
      g.N,
      [&](int64_t n, T* col) {
        const T* img = px + n * in_size;
        if (!pointwise) im2col(img, col, col + g.col_size(), g, p);
        T* o = po + n * out_size;
        if (pb) {  // start from the bias, then accumulate the GEMM (beta = 1)
          for (int64_t oc = 0; oc < g.O; ++oc) std::fill(o + oc * g.col_cols(), o + (oc + 1) * g.col_cols(), pb[oc]);
        }
        gemm<T>(CblasNoTrans, CblasNoTrans, g.O, g.col_cols(), g.col_rows(), pw, g.col_rows(), pointwise ? img : col,
                g.col_cols(), pb ? T(1) : T(0), o, g.col_cols());
      },
      col_scratch_size(g, p));
}

template <typename T>
void forward_typed(const Tensor& out, const Tensor& x, const Tensor& w, const Tensor& bias, const Conv2dParams& p) {
  convolve<T>(geometry(x, w, out), p, x.data<T>(), w.data<T>(), bias.defined() ? bias.data<T>() : nullptr,
              out.data<T>());
}

// Note [Input gradient as a convolution]: with stride 1, the input gradient
//   grad_x[n, c, ih, iw] = sum_{o, kh, kw} grad_out[n, o, ih + pad_h - kh, iw + pad_w - kw] w[o, c, kh, kw]
// is itself a convolution: of grad_out with the kernel flipped in both
// directions and its two channel dims swapped, w'[c, o, kh, kw] =
// w[o, c, KH-1-kh, KW-1-kw], with padding KH-1-pad_h (and KW-1-pad_w), which
// gives back an H x W image. Run that way, the GEMM writes grad_x itself
// from an im2col of grad_out with O*KH*KW rows; the col2im route writes a
// (C*KH*KW, HO*WO) col gradient (which OpenBLAS zero-fills first), then adds
// it back into a zero-filled image. So the convolution pays when O <= C
// (in bench/tensor_bench.cpp: 96 -> 32 and 32 -> 1 at 28x28 ran 9 and 44 %
// faster forward+backward, but 1 -> 32 took 2.8 times as long and 32 -> 64
// 10 % longer). It also needs padding <= kernel size - 1 (else the flipped
// padding would be negative); strided convolutions and 1x1 kernels (one GEMM
// straight into grad_x) keep col2im.
bool input_grad_is_convolution(const Geometry& g, const Conv2dParams& p) {
  return p.stride_h == 1 && p.stride_w == 1 && !is_pointwise(g, p) && p.pad_h <= g.KH - 1 && p.pad_w <= g.KW - 1 &&
         g.O <= g.C;
}

template <typename T>
void input_grad_by_convolution(const Geometry& g, const Conv2dParams& p, const T* pw, const T* pg, T* pgx) {
  std::vector<T> flipped(g.C * g.O * g.KH * g.KW);
  for (int64_t o = 0; o < g.O; ++o)
    for (int64_t c = 0; c < g.C; ++c)
      for (int64_t kh = 0; kh < g.KH; ++kh)
        for (int64_t kw = 0; kw < g.KW; ++kw)
          flipped[((c * g.O + o) * g.KH + kh) * g.KW + kw] =
              pw[((o * g.C + c) * g.KH + (g.KH - 1 - kh)) * g.KW + (g.KW - 1 - kw)];
  const Geometry transposed{g.N, g.O, g.HO, g.WO, g.C, g.KH, g.KW, g.H, g.W};
  const Conv2dParams flipped_padding{1, 1, g.KH - 1 - p.pad_h, g.KW - 1 - p.pad_w};
  convolve<T>(transposed, flipped_padding, pg, flipped.data(), static_cast<const T*>(nullptr), pgx);
}

template <typename T>
void backward_input_typed(const Tensor& grad_x, const Tensor& grad_out, const Tensor& w, const Conv2dParams& p) {
  const Geometry g = geometry(grad_x, w, grad_out);
  const T* pw = w.data<T>();
  const T* pg = grad_out.data<T>();
  T* pgx = grad_x.data<T>();
  if (input_grad_is_convolution(g, p)) return input_grad_by_convolution(g, p, pw, pg, pgx);
  const bool pointwise = is_pointwise(g, p);
  const int64_t in_size = g.C * g.H * g.W, out_size = g.O * g.col_cols();
  parallel_tasks<T>(
      g.N,
      [&](int64_t n, T* col) {
        T* gx = pgx + n * in_size;
        gemm<T>(CblasTrans, CblasNoTrans, g.col_rows(), g.col_cols(), g.O, pw, g.col_rows(), pg + n * out_size,
                g.col_cols(), T(0), pointwise ? gx : col, g.col_cols());
        if (!pointwise) col2im(col, gx, col + g.col_size(), g, p);
      },
      col_scratch_size(g, p));
}

// The weight gradient cuts the batch into at most kWeightGradGroups groups
// of consecutive images: enough tasks to keep the threads busy at the usual
// batch sizes, few enough that the groups' partial sums stay small.
constexpr int64_t kWeightGradGroups = 16;

// grad_w (O, C*KH*KW) = sum over n of grad_out[n] (O, HO*WO) @ col[n]^T.
// Each group of images (fixed by N alone) adds up its images in order into
// its own partial sum; the partial sums are then added in group order, so
// every element sums the same terms in the same order whatever the threads.
template <typename T>
void backward_weight_typed(const Tensor& grad_w, const Tensor& grad_out, const Tensor& x, const Conv2dParams& p) {
  const Geometry g = geometry(x, grad_w, grad_out);
  const bool pointwise = is_pointwise(g, p);
  const T* px = x.data<T>();
  const T* pg = grad_out.data<T>();
  T* gw = grad_w.data<T>();
  const int64_t w_size = g.O * g.col_rows();
  const int64_t in_size = g.C * g.H * g.W, out_size = g.O * g.col_cols();
  const int64_t group_size = (g.N + kWeightGradGroups - 1) / kWeightGradGroups;
  const int64_t groups = group_size == 0 ? 0 : (g.N + group_size - 1) / group_size;
  if constexpr (std::is_same_v<T, float>) {
    if (groups > 0 && winograd_applies(g.C, g.O, g.KH, g.KW, p.stride_h, p.stride_w, p.pad_h, p.pad_w, g.H, g.W))
      return winograd_conv3x3_weight_grad(g.N, g.C, g.H, g.W, g.O, px, pg, groups, group_size, gw);
  }
  // Not zeroed: each group's first GEMM writes its part whole (beta 0).
  const auto partial = std::make_unique_for_overwrite<T[]>(groups * w_size);
  parallel_tasks<T>(
      groups,
      [&](int64_t group, T* col) {
        const int64_t first = group * group_size, last = std::min(g.N, first + group_size);
        for (int64_t n = first; n < last; ++n) {
          const T* img = px + n * in_size;
          if (!pointwise) im2col(img, col, col + g.col_size(), g, p);
          gemm<T>(CblasNoTrans, CblasTrans, g.O, g.col_rows(), g.col_cols(), pg + n * out_size, g.col_cols(),
                  pointwise ? img : col, g.col_cols(), n == first ? T(0) : T(1), partial.get() + group * w_size,
                  g.col_rows());
        }
      },
      col_scratch_size(g, p));
  add_parts_in_order(partial.get(), groups, w_size, gw);
}

}  // namespace

void conv2d_forward(const Tensor& out, const Tensor& x, const Tensor& w, const Tensor& bias, const Conv2dParams& p) {
  dispatch_float(x.dtype(), "conv2d",
                 [&](auto tag) { forward_typed<typename decltype(tag)::type>(out, x, w, bias, p); });
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
