// Note [Winograd F(2x2, 3x3)]
// A 3x3 convolution computes each 2x2 block of outputs from a 4x4 patch of
// input. Written as Y = A^T [ (G g G^T) * (B^T d B) ] A, with g the 3x3
// kernel, d the 4x4 patch and * the elementwise product, it takes 16
// multiplications per 2x2 outputs instead of 36:
//
//   B^T = [1  0 -1  0]    G = [ 1    0    0 ]    A^T = [1 1  1  0]
//         [0  1  1  0]        [1/2  1/2  1/2]          [0 1 -1 -1]
//         [0 -1  1  0]        [1/2 -1/2  1/2]
//         [0  1  0 -1]        [ 0    0    1 ]
//
// Over channels the elementwise products become 16 matrix products, one per
// position e of the 4x4 transformed tile:
//   M_e (O, T) = U_e (O, C) @ V_e (C, T),  U = G g G^T per (o, c), V = B^T d B per (c, tile)
// with T tiles per image, so the GEMM work is 16 O C T = 4 O C H W
// multiply-adds against im2col's 9 O C H W: 2.25 times fewer. The transforms
// (additions only, and the halves of G, all exact in binary) are the price,
// which is why thin GEMMs (small images) keep im2col (kWinogradMinSide).
// Rounding differs from the direct sum by a few ulp; tests/tensor/
// conv_reference_test.cpp checks it against float64 loops.
//
// Tiles start at output (2 ty, 2 tx); the patch starts one row and column
// before (the padding), reads zeros outside the image, and an odd side's
// last tile computes one row or column more than the image has, dropped.
#include "tensor/cpu/conv_winograd.h"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "tensor/cpu/blas.h"
#include "tensor/cpu/parallel.h"

namespace tensor::cpu {
namespace {

// U (16, O, C): the transformed kernel G g G^T for every (o, c), position-major.
std::vector<float> transform_kernel(int64_t O, int64_t C, const float* w) {
  std::vector<float> U(16 * O * C);
  for (int64_t o = 0; o < O; ++o)
    for (int64_t c = 0; c < C; ++c) {
      const float* g = w + (o * C + c) * 9;
      float Gg[4][3];  // G g: 4 x 3
      for (int j = 0; j < 3; ++j) {
        Gg[0][j] = g[j];
        Gg[1][j] = 0.5f * (g[j] + g[3 + j] + g[6 + j]);
        Gg[2][j] = 0.5f * (g[j] - g[3 + j] + g[6 + j]);
        Gg[3][j] = g[6 + j];
      }
      for (int i = 0; i < 4; ++i) {  // (G g) G^T: 4 x 4
        const float u[4] = {Gg[i][0], 0.5f * (Gg[i][0] + Gg[i][1] + Gg[i][2]), 0.5f * (Gg[i][0] - Gg[i][1] + Gg[i][2]),
                            Gg[i][2]};
        for (int j = 0; j < 4; ++j) U[((i * 4 + j) * O + o) * C + c] = u[j];
      }
    }
  return U;
}

// V (16, C, T) for one image: B^T d B for every channel and tile. Each
// channel is first copied into a zero-bordered plane (the padding, and the
// extra row and column of an odd side), so the tiles read it without bounds
// tests, and each step below runs along a row of tiles (stride 2 in the
// plane), which the compiler vectorizes.
void transform_input(int64_t C, int64_t H, int64_t W, int64_t TH, int64_t TW, const float* img, float* V,
                     float* padded) {
  const int64_t T = TH * TW, PW = 2 * TW + 2, PH = 2 * TH + 2, step = C * T;
  std::fill(padded, padded + PH * PW, 0.0f);
  for (int64_t c = 0; c < C; ++c) {
    const float* channel = img + c * H * W;
    for (int64_t y = 0; y < H; ++y) std::copy(channel + y * W, channel + (y + 1) * W, padded + (y + 1) * PW + 1);
    for (int64_t ty = 0; ty < TH; ++ty) {
      const float* r0 = padded + 2 * ty * PW;  // the tile row's 4 plane rows
      const float *r1 = r0 + PW, *r2 = r1 + PW, *r3 = r2 + PW;
      float* v = V + c * T + ty * TW;
      for (int64_t tx = 0; tx < TW; ++tx) {
        const int64_t x = 2 * tx;
        float bd[4][4];  // B^T d, column j of the patch = plane column x + j
        for (int j = 0; j < 4; ++j) {
          bd[0][j] = r0[x + j] - r2[x + j];
          bd[1][j] = r1[x + j] + r2[x + j];
          bd[2][j] = r2[x + j] - r1[x + j];
          bd[3][j] = r1[x + j] - r3[x + j];
        }
        for (int i = 0; i < 4; ++i) {  // (B^T d) B
          v[(i * 4 + 0) * step + tx] = bd[i][0] - bd[i][2];
          v[(i * 4 + 1) * step + tx] = bd[i][1] + bd[i][2];
          v[(i * 4 + 2) * step + tx] = bd[i][2] - bd[i][1];
          v[(i * 4 + 3) * step + tx] = bd[i][1] - bd[i][3];
        }
      }
    }
  }
}

// out (O, H, W) for one image from M (16, O, T): A^T m A, plus the bias.
void transform_output(int64_t O, int64_t H, int64_t W, int64_t TH, int64_t TW, const float* M, const float* bias,
                      float* out) {
  const int64_t T = TH * TW, step = O * T;
  for (int64_t o = 0; o < O; ++o) {
    const float b = bias ? bias[o] : 0.0f;
    float* plane = out + o * H * W;
    for (int64_t ty = 0; ty < TH; ++ty)
      for (int64_t tx = 0; tx < TW; ++tx) {
        const float* m = M + o * T + ty * TW + tx;
        float am[2][4];  // A^T m
        for (int j = 0; j < 4; ++j) {
          const float m0 = m[j * step], m1 = m[(4 + j) * step], m2 = m[(8 + j) * step], m3 = m[(12 + j) * step];
          am[0][j] = m0 + m1 + m2;
          am[1][j] = m1 - m2 - m3;
        }
        const int64_t y = 2 * ty, x = 2 * tx;
        for (int i = 0; i < 2 && y + i < H; ++i) {
          float* row = plane + (y + i) * W + x;
          row[0] = am[i][0] + am[i][1] + am[i][2] + b;
          if (x + 1 < W) row[1] = am[i][1] - am[i][2] - am[i][3] + b;
        }
      }
  }
}

}  // namespace

bool winograd_applies(int64_t C, int64_t O, int64_t KH, int64_t KW, int64_t stride_h, int64_t stride_w, int64_t pad_h,
                      int64_t pad_w, int64_t H, int64_t W) {
  // DIFFUSE_WINOGRAD=0 keeps every convolution on im2col, to compare the two.
  static const bool enabled = [] {
    const char* v = std::getenv("DIFFUSE_WINOGRAD");
    return !(v && std::string(v) == "0");
  }();
  return enabled && C >= kWinogradMinChannels && O >= kWinogradMinChannels && KH == 3 && KW == 3 && stride_h == 1 &&
         stride_w == 1 && pad_h == 1 && pad_w == 1 && H >= kWinogradMinSide && W >= kWinogradMinSide;
}

void winograd_conv3x3(int64_t N, int64_t C, int64_t H, int64_t W, int64_t O, const float* x, const float* w,
                      const float* bias, float* out) {
  const int64_t TH = (H + 1) / 2, TW = (W + 1) / 2, T = TH * TW;
  const std::vector<float> U = transform_kernel(O, C, w);
  const int64_t v_size = 16 * C * T, m_size = 16 * O * T, plane_size = (2 * TH + 2) * (2 * TW + 2);
  parallel_tasks<float>(
      N,
      [&](int64_t n, float* scratch) {
        float* V = scratch;
        float* M = scratch + v_size;
        transform_input(C, H, W, TH, TW, x + n * C * H * W, V, M + m_size);
        for (int64_t e = 0; e < 16; ++e)
          gemm<float>(CblasNoTrans, CblasNoTrans, O, T, C, U.data() + e * O * C, C, V + e * C * T, T, 0.0f,
                      M + e * O * T, T);
        transform_output(O, H, W, TH, TW, M, bias, out + n * O * H * W);
      },
      v_size + m_size + plane_size);
}

}  // namespace tensor::cpu
