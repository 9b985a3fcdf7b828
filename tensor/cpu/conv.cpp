// CPU conv2d by im2col + GEMM. Shapes: N batch, C input channels, H W input
// size, O output channels, KH KW kernel size, HO WO output size.
//
// im2col unrolls the receptive fields of one image into a matrix
// col (C*KH*KW, HO*WO), so the convolution becomes one GEMM
//   out[n] (O, HO*WO) = w (O, C*KH*KW) @ col.
// Small images share one GEMM per group of images (Note [Images per GEMM]).
// The backward pass is two more GEMMs: grad_w += grad_out[n] @ col^T, and
// the input gradient, which with stride 1 is a convolution of grad_out
// (Note [Input gradient as a convolution]) and otherwise
// grad_col = w^T @ grad_out[n], which col2im scatters (adds) back to the image.
// A 1x1 kernel with stride 1 and no padding needs no im2col: col is the image.
//
// Threads (Note [Same bits for any thread count] in parallel.h): the forward
// and input-gradient passes are one task per group of images, each with its
// own col buffer and a single-threaded GEMM (a batch smaller than the thread
// count leaves threads idle rather than call a threaded GEMM, whose bits
// differ). The weight gradient sums over images: one task per fixed chunk of
// images, the chunks' partial sums added in chunk order.
#include <algorithm>

#include "tensor/cpu/blas.h"
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
void im2col_same_width(const T* img, T* col, int64_t ld, const Geometry& g, const Conv2dParams& p) {
  const int64_t plane = g.col_cols();
  for (int64_t c = 0; c < g.C; ++c)
    for (int64_t kh = 0; kh < g.KH; ++kh) {
      const Span rows = valid_columns(kh, g.H, g.HO, 1, p.pad_h);
      for (int64_t kw = 0; kw < g.KW; ++kw) {
        T* row = col + ((c * g.KH + kh) * g.KW + kw) * ld;
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

template <typename T>
void im2col(const T* img, T* col, int64_t ld, const Geometry& g, const Conv2dParams& p) {
  if (p.stride_h == 1 && p.stride_w == 1 && g.WO == g.W) return im2col_same_width(img, col, ld, g, p);
  for (int64_t c = 0; c < g.C; ++c)
    for (int64_t kh = 0; kh < g.KH; ++kh)
      for (int64_t kw = 0; kw < g.KW; ++kw) {
        T* row = col + ((c * g.KH + kh) * g.KW + kw) * ld;
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
void col2im(const T* col, int64_t ld, T* img, const Geometry& g, const Conv2dParams& p) {
  std::fill(img, img + g.C * g.H * g.W, T(0));
  for (int64_t c = 0; c < g.C; ++c)
    for (int64_t kh = 0; kh < g.KH; ++kh)
      for (int64_t kw = 0; kw < g.KW; ++kw) {
        const T* row = col + ((c * g.KH + kh) * g.KW + kw) * ld;
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

// Note [Images per GEMM]: one GEMM per image is a thin product at the
// U-Net's small images (HO*WO = 49 columns at 7x7), where OpenBLAS packs the
// weights again for every image and spends its time on the edges of its
// tiles, and the weight gradient's GEMM (K = HO*WO) reads and writes all of
// grad_w for every 49 terms. So consecutive images share one GEMM: their
// im2col matrices sit side by side in one (C*KH*KW, images * HO*WO) matrix.
// A group holds at most kGemmColumns columns, fewer when its col matrix would
// pass kColElements elements (a bound on each thread's buffer), and at least
// one image. Larger groups lost: the col matrix, written by im2col and read
// back by OpenBLAS's packing, then no longer stays in the cache (at 1,024 or
// more columns the 28x28 and 14x14 shapes of bench/tensor_bench.cpp ran
// slower; at 512, 7x7 images go 10 to a GEMM, 14x14 two, 28x28 one). The
// group size follows from the shapes alone, never from the thread count (Note
// [Same bits for any thread count] in parallel.h), but an image's bits now
// depend on its group: OpenBLAS rounds a column of the product differently
// at different widths of the product, so an image of a batch agrees with
// the same image convolved alone to rounding, not to the bit. A group of one
// image runs the GEMM straight on the image and the output as before; a larger
// group gathers the output gradient into (O, images * HO*WO) and scatters the
// product back into NCHW, a copy of the output's size against a col matrix
// of C*KH*KW times the input's.
constexpr int64_t kGemmColumns = 512;
constexpr int64_t kColElements = int64_t(1) << 20;

int64_t images_per_gemm(const Geometry& g, const Conv2dParams& p) {
  if (is_pointwise(g, p)) return 1;  // the image is the col matrix: grouping would only add copies
  const int64_t plane = std::max<int64_t>(g.col_cols(), 1);
  const int64_t by_columns = kGemmColumns / plane;
  const int64_t by_memory = kColElements / (std::max<int64_t>(g.col_rows(), 1) * plane);
  return std::clamp<int64_t>(std::min(by_columns, by_memory), 1, std::max<int64_t>(g.N, 1));
}

// The images [first, first + count) of one GEMM.
struct ImageGroup {
  int64_t first, count;
};

// im2col of each image of the group into its block of columns of col, whose
// rows are group.count * HO*WO long.
template <typename T>
void im2col_group(const T* x, T* col, const Geometry& g, const Conv2dParams& p, ImageGroup group) {
  const int64_t in_size = g.C * g.H * g.W, ld = group.count * g.col_cols();
  for (int64_t i = 0; i < group.count; ++i) im2col(x + (group.first + i) * in_size, col + i * g.col_cols(), ld, g, p);
}

// (count, O, HO*WO) images of an NCHW tensor <-> one (O, count * HO*WO) matrix.
template <typename T>
void gather_outputs(const T* nchw, T* matrix, const Geometry& g, ImageGroup group) {
  const int64_t plane = g.col_cols(), ld = group.count * plane;
  for (int64_t i = 0; i < group.count; ++i)
    for (int64_t oc = 0; oc < g.O; ++oc) {
      const T* src = nchw + ((group.first + i) * g.O + oc) * plane;
      std::copy(src, src + plane, matrix + oc * ld + i * plane);
    }
}
template <typename T>
void scatter_outputs(const T* matrix, T* nchw, const Geometry& g, ImageGroup group) {
  const int64_t plane = g.col_cols(), ld = group.count * plane;
  for (int64_t i = 0; i < group.count; ++i)
    for (int64_t oc = 0; oc < g.O; ++oc) {
      const T* src = matrix + oc * ld + i * plane;
      std::copy(src, src + plane, nchw + ((group.first + i) * g.O + oc) * plane);
    }
}

// out (O, columns) = bias + w @ col. The bias is written first and the GEMM
// accumulates onto it (beta = 1), so a group of several images gives the same
// sums as one image at a time.
template <typename T>
void bias_plus_gemm(const T* w, const T* col, const T* bias, T* out, int64_t columns, const Geometry& g) {
  if (bias) {
    for (int64_t oc = 0; oc < g.O; ++oc) std::fill(out + oc * columns, out + (oc + 1) * columns, bias[oc]);
  }
  gemm<T>(CblasNoTrans, CblasNoTrans, g.O, columns, g.col_rows(), w, g.col_rows(), col, columns, bias ? T(1) : T(0),
          out, columns);
}

// out (N, O, HO, WO) = conv(x (N, C, H, W), w (O, C, KH, KW)) + bias (or none).
template <typename T>
void convolve(const Geometry& g, const Conv2dParams& p, const T* px, const T* pw, const T* pb, T* po) {
  const bool pointwise = is_pointwise(g, p);
  const int64_t group_size = images_per_gemm(g, p);
  const int64_t groups = (g.N + group_size - 1) / group_size;
  const int64_t in_size = g.C * g.H * g.W, out_size = g.O * g.col_cols();
  const int64_t columns = group_size * g.col_cols();
  // Scratch: the group's col matrix, then (groups of several images) its product.
  const int64_t col_size = pointwise ? 0 : g.col_rows() * columns;
  const int64_t product_size = group_size == 1 ? 0 : g.O * columns;
  parallel_tasks<T>(
      groups,
      [&](int64_t q, T* scratch) {
        const ImageGroup group{q * group_size, std::min(group_size, g.N - q * group_size)};
        const int64_t group_columns = group.count * g.col_cols();
        const T* col = pointwise ? px + group.first * in_size : scratch;
        if (col == scratch) im2col_group(px, scratch, g, p, group);
        if (group_size == 1) return bias_plus_gemm(pw, col, pb, po + group.first * out_size, group_columns, g);
        T* product = scratch + col_size;
        bias_plus_gemm(pw, col, pb, product, group_columns, g);
        scatter_outputs(product, po, g, group);
      },
      col_size + product_size);
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
// (in bench/tensor_bench.cpp: 96 -> 32 and 32 -> 1 at 28x28 ran 13 and 44 %
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
  const int64_t group_size = images_per_gemm(g, p);
  const int64_t groups = (g.N + group_size - 1) / group_size;
  const int64_t in_size = g.C * g.H * g.W, out_size = g.O * g.col_cols();
  const int64_t columns = group_size * g.col_cols();
  // Scratch: the group's col gradient, then (groups of several images) its
  // output gradient gathered into one matrix.
  const int64_t col_size = pointwise ? 0 : g.col_rows() * columns;
  const int64_t gathered_size = group_size == 1 ? 0 : g.O * columns;
  parallel_tasks<T>(
      groups,
      [&](int64_t q, T* scratch) {
        const ImageGroup group{q * group_size, std::min(group_size, g.N - q * group_size)};
        const int64_t group_columns = group.count * g.col_cols();
        const T* grad = pg + group.first * out_size;
        if (group_size > 1) {
          gather_outputs(pg, scratch + col_size, g, group);
          grad = scratch + col_size;
        }
        T* gx = pgx + group.first * in_size;
        T* col = pointwise ? gx : scratch;
        gemm<T>(CblasTrans, CblasNoTrans, g.col_rows(), group_columns, g.O, pw, g.col_rows(), grad, group_columns, T(0),
                col, group_columns);
        if (col == gx) return;
        for (int64_t i = 0; i < group.count; ++i) col2im(col + i * g.col_cols(), group_columns, gx + i * in_size, g, p);
      },
      col_size + gathered_size);
}

// The weight gradient cuts the batch into at most kWeightGradGroups chunks
// of consecutive images (a whole number of GEMM groups each): enough tasks to
// keep the threads busy at the usual batch sizes, few enough that the chunks'
// partial sums stay small.
constexpr int64_t kWeightGradGroups = 16;

// grad_w (O, C*KH*KW) = sum over n of grad_out[n] (O, HO*WO) @ col[n]^T.
// Each chunk of images (fixed by the shapes alone) adds up its GEMM groups in
// order into its own partial sum; the partial sums are then added in chunk
// order, so every element sums the same terms in the same order whatever the
// threads.
template <typename T>
void backward_weight_typed(const Tensor& grad_w, const Tensor& grad_out, const Tensor& x, const Conv2dParams& p) {
  const Geometry g = geometry(x, grad_w, grad_out);
  const bool pointwise = is_pointwise(g, p);
  const int64_t group_size = images_per_gemm(g, p);
  const T* px = x.data<T>();
  const T* pg = grad_out.data<T>();
  T* gw = grad_w.data<T>();
  const int64_t w_size = g.O * g.col_rows();
  const int64_t in_size = g.C * g.H * g.W, out_size = g.O * g.col_cols();
  const int64_t columns = group_size * g.col_cols();
  const int64_t chunk_groups = ((g.N + kWeightGradGroups - 1) / kWeightGradGroups + group_size - 1) / group_size;
  const int64_t chunk_size = chunk_groups * group_size;
  const int64_t chunks = chunk_size == 0 ? 0 : (g.N + chunk_size - 1) / chunk_size;
  const int64_t col_size = pointwise ? 0 : g.col_rows() * columns;
  const int64_t gathered_size = group_size == 1 ? 0 : g.O * columns;
  std::vector<T> partial(chunks * w_size);
  parallel_tasks<T>(
      chunks,
      [&](int64_t chunk, T* scratch) {
        const int64_t first = chunk * chunk_size, last = std::min(g.N, first + chunk_size);
        for (int64_t n = first; n < last; n += group_size) {
          const ImageGroup group{n, std::min(group_size, last - n)};
          const int64_t group_columns = group.count * g.col_cols();
          const T* col = pointwise ? px + n * in_size : scratch;
          if (col == scratch) im2col_group(px, scratch, g, p, group);
          const T* grad = pg + n * out_size;
          if (group_size > 1) {
            gather_outputs(pg, scratch + col_size, g, group);
            grad = scratch + col_size;
          }
          gemm<T>(CblasNoTrans, CblasTrans, g.O, g.col_rows(), group_columns, grad, group_columns, col, group_columns,
                  n == first ? T(0) : T(1), partial.data() + chunk * w_size, g.col_rows());
        }
      },
      col_size + gathered_size);
  if (chunks == 0) std::fill(gw, gw + w_size, T(0));
  parallel_for(0, chunks == 0 ? 0 : w_size, kDefaultGrain, [&](int64_t lo, int64_t hi) {
    std::copy(partial.begin() + lo, partial.begin() + hi, gw + lo);
    for (int64_t chunk = 1; chunk < chunks; ++chunk)
      for (int64_t i = lo; i < hi; ++i) gw[i] += partial[chunk * w_size + i];
  });
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
