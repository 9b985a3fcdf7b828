// Launchers of the conv kernels (conv.cu), called by conv.cpp (plain C++: no Tensor, no fmt).
// Shapes as in tensor/cpu/conv.cpp: N images, C input channels, H W input
// size, O output channels, KH KW kernel size, HO WO output size; the column
// buffer of a chunk of `count` images is laid out (C*KH*KW, count, HO*WO).
#pragma once
#include <cstdint>

#include "tensor/cuda/launch.h"

namespace tensor::cuda {

struct ConvGeometry {
  int64_t N, C, H, W, O, KH, KW, HO, WO;
  int64_t stride_h, stride_w, pad_h, pad_w;
  int64_t col_rows() const { return C * KH * KW; }
  int64_t col_cols() const { return HO * WO; }
};

// col[r][n][s] = the input pixel that output position s of image n reads
// through kernel row r = (c, kh, kw), or 0 in the padding; images
// [0, count) of img (C*H*W each).
void launch_im2col(ScalarType dtype, const void* img, void* col, const ConvGeometry& g, int64_t count);
// The adjoint: img[n][c][ih][iw] = the sum of the col entries im2col read
// from that pixel (img is overwritten, not accumulated into).
void launch_col2im(ScalarType dtype, const void* col, void* img, const ConvGeometry& g, int64_t count);
// out[n][o][s] = bias[o] for n < N, the starting value of the forward GEMM.
void launch_fill_bias(ScalarType dtype, void* out, const void* bias, const ConvGeometry& g);
// dst[o][n][s] = src[n][o][s] for n < count: grad_out of a chunk of images,
// channel-major, so that the weight gradient is one GEMM over count * HO*WO.
void launch_channel_major(ScalarType dtype, const void* src, void* dst, const ConvGeometry& g, int64_t count);

}  // namespace tensor::cuda
