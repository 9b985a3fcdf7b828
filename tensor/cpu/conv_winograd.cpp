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
// which is why thin GEMMs (small images, few channels) keep im2col
// (kWinogradMinSide, kWinogradMinChannels in conv_winograd.h).
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

// V (16, C, T) for one image: B^T d B for every channel and tile.
// Each channel is first copied into a zero-bordered plane (the padding, and
// the extra row and column of an odd side), stored as its even and its odd
// columns apart: the patch of tile tx covers plane columns 2tx .. 2tx+3, that
// is even[tx], odd[tx], even[tx+1], odd[tx+1]. So the loop over a row of
// tiles reads and writes only contiguous runs, and the compiler vectorizes it.
void transform_input(int64_t C, int64_t H, int64_t W, int64_t TH, int64_t TW, const float* img, float* V,
                     float* plane) {
  const int64_t T = TH * TW, PH = 2 * TH + 2, half = TW + 1, step = C * T;
  float* even = plane;             // (PH, TW + 1): plane column 2k, image column 2k - 1
  float* odd = plane + PH * half;  // (PH, TW + 1): plane column 2k + 1, image column 2k
  std::fill(plane, plane + 2 * PH * half, 0.0f);
  for (int64_t c = 0; c < C; ++c) {
    const float* channel = img + c * H * W;
    for (int64_t y = 0; y < H; ++y) {
      const float* src = channel + y * W;
      float* e = even + (y + 1) * half;
      float* o = odd + (y + 1) * half;
      for (int64_t k = 1; 2 * k - 1 < W; ++k) e[k] = src[2 * k - 1];
      for (int64_t k = 0; 2 * k < W; ++k) o[k] = src[2 * k];
    }
    for (int64_t ty = 0; ty < TH; ++ty) {
      const float *e0 = even + 2 * ty * half, *e1 = e0 + half, *e2 = e1 + half, *e3 = e2 + half;
      const float *o0 = odd + 2 * ty * half, *o1 = o0 + half, *o2 = o1 + half, *o3 = o2 + half;
      float* v = V + c * T + ty * TW;
      // omp simd: the 16 output runs never overlap the plane (GCC cannot prove it, and gives up).
#pragma omp simd
      for (int64_t tx = 0; tx < TW; ++tx) {
        // B^T d on the patch's four columns: even[tx], odd[tx], even[tx+1], odd[tx+1].
        const int64_t k0 = tx, k1 = tx + 1;
        const float col[4][4] = {
            {e0[k0] - e2[k0], o0[k0] - o2[k0], e0[k1] - e2[k1], o0[k1] - o2[k1]},
            {e1[k0] + e2[k0], o1[k0] + o2[k0], e1[k1] + e2[k1], o1[k1] + o2[k1]},
            {e2[k0] - e1[k0], o2[k0] - o1[k0], e2[k1] - e1[k1], o2[k1] - o1[k1]},
            {e1[k0] - e3[k0], o1[k0] - o3[k0], e1[k1] - e3[k1], o1[k1] - o3[k1]},
        };
        for (int i = 0; i < 4; ++i) {  // (B^T d) B
          v[(i * 4 + 0) * step + tx] = col[i][0] - col[i][2];
          v[(i * 4 + 1) * step + tx] = col[i][1] + col[i][2];
          v[(i * 4 + 2) * step + tx] = col[i][2] - col[i][1];
          v[(i * 4 + 3) * step + tx] = col[i][1] - col[i][3];
        }
      }
    }
  }
}

// out (O, H, W) for one image from M (16, O, T): A^T m A, plus the bias. A
// row of tiles makes two output rows, each built whole in `rows` (2 TW wide)
// and then copied, so an odd side simply copies one column or row fewer.
void transform_output(int64_t O, int64_t H, int64_t W, int64_t TH, int64_t TW, const float* M, const float* bias,
                      float* out, float* rows) {
  const int64_t T = TH * TW, step = O * T;
  float* top = rows;
  float* bottom = rows + 2 * TW;
  for (int64_t o = 0; o < O; ++o) {
    const float b = bias ? bias[o] : 0.0f;
    float* plane = out + o * H * W;
    for (int64_t ty = 0; ty < TH; ++ty) {
      const float* m = M + o * T + ty * TW;
#pragma omp simd
      for (int64_t tx = 0; tx < TW; ++tx) {
        float am[2][4];  // A^T m
        for (int j = 0; j < 4; ++j) {
          const float m0 = m[j * step + tx], m1 = m[(4 + j) * step + tx], m2 = m[(8 + j) * step + tx],
                      m3 = m[(12 + j) * step + tx];
          am[0][j] = m0 + m1 + m2;
          am[1][j] = m1 - m2 - m3;
        }
        top[2 * tx] = am[0][0] + am[0][1] + am[0][2] + b;
        top[2 * tx + 1] = am[0][1] - am[0][2] - am[0][3] + b;
        bottom[2 * tx] = am[1][0] + am[1][1] + am[1][2] + b;
        bottom[2 * tx + 1] = am[1][1] - am[1][2] - am[1][3] + b;
      }
      std::copy(top, top + W, plane + 2 * ty * W);
      if (2 * ty + 1 < H) std::copy(bottom, bottom + W, plane + (2 * ty + 1) * W);
    }
  }
}

// The weight gradient's transforms (Note [Winograd weight gradient]).
// U (16, O, T) for one image: G' gt G'^T for every output channel and 2x2
// tile gt of grad_out (zero past an odd side's edge), with
// G' = [1 0; 1/2 1/2; 1/2 -1/2; 0 -1].
void transform_grad(int64_t O, int64_t H, int64_t W, int64_t TH, int64_t TW, const float* grad, float* U) {
  const int64_t T = TH * TW, step = O * T;
  for (int64_t o = 0; o < O; ++o) {
    const float* plane = grad + o * H * W;
    for (int64_t ty = 0; ty < TH; ++ty)
      for (int64_t tx = 0; tx < TW; ++tx) {
        const int64_t y = 2 * ty, x = 2 * tx;
        const bool down = y + 1 < H, right = x + 1 < W;
        const float g00 = plane[y * W + x], g01 = right ? plane[y * W + x + 1] : 0.0f;
        const float g10 = down ? plane[(y + 1) * W + x] : 0.0f, g11 = down && right ? plane[(y + 1) * W + x + 1] : 0.0f;
        const float rows[4][2] = {{g00, g01},
                                  {0.5f * (g00 + g10), 0.5f * (g01 + g11)},
                                  {0.5f * (g00 - g10), 0.5f * (g01 - g11)},
                                  {-g10, -g11}};
        float* u = U + o * T + ty * TW + tx;
        for (int i = 0; i < 4; ++i) {
          u[(i * 4 + 0) * step] = rows[i][0];
          u[(i * 4 + 1) * step] = 0.5f * (rows[i][0] + rows[i][1]);
          u[(i * 4 + 2) * step] = 0.5f * (rows[i][0] - rows[i][1]);
          u[(i * 4 + 3) * step] = -rows[i][1];
        }
      }
  }
}

// grad_w (O, C, 3, 3) from M (16, O, C): A^T m A for every (o, c), with
// A^T = [1 1 1 0; 0 1 -1 0; 0 1 1 1].
void transform_weight_grad(int64_t O, int64_t C, const float* M, float* grad_w) {
  const int64_t step = O * C;
  for (int64_t oc = 0; oc < O * C; ++oc) {
    float am[3][4];  // A^T m
    for (int j = 0; j < 4; ++j) {
      const float m0 = M[j * step + oc], m1 = M[(4 + j) * step + oc], m2 = M[(8 + j) * step + oc],
                  m3 = M[(12 + j) * step + oc];
      am[0][j] = m0 + m1 + m2;
      am[1][j] = m1 - m2;
      am[2][j] = m1 + m2 + m3;
    }
    float* gw = grad_w + oc * 9;
    for (int i = 0; i < 3; ++i) {
      gw[i * 3 + 0] = am[i][0] + am[i][1] + am[i][2];
      gw[i * 3 + 1] = am[i][1] - am[i][2];
      gw[i * 3 + 2] = am[i][1] + am[i][2] + am[i][3];
    }
  }
}

}  // namespace

bool winograd_applies(WinogradPass pass, int64_t C, int64_t O, int64_t KH, int64_t KW, int64_t stride_h,
                      int64_t stride_w, int64_t pad_h, int64_t pad_w, int64_t H, int64_t W) {
  // DIFFUSE_WINOGRAD=0 keeps every convolution on im2col, to compare the two.
  static const bool enabled = [] {
    const char* v = std::getenv("DIFFUSE_WINOGRAD");
    return !(v && std::string(v) == "0");
  }();
  const int64_t min_side = pass == WinogradPass::WeightGrad ? kWinogradWeightGradMinSide : kWinogradMinSide;
  return enabled && C >= kWinogradMinChannels && O >= kWinogradMinChannels && KH == 3 && KW == 3 && stride_h == 1 &&
         stride_w == 1 && pad_h == 1 && pad_w == 1 && H >= min_side && W >= min_side;
}

void winograd_conv3x3(int64_t N, int64_t C, int64_t H, int64_t W, int64_t O, const float* x, const float* w,
                      const float* bias, float* out) {
  const int64_t TH = (H + 1) / 2, TW = (W + 1) / 2, T = TH * TW;
  const std::vector<float> U = transform_kernel(O, C, w);
  const int64_t v_size = 16 * C * T, m_size = 16 * O * T;
  const int64_t plane_size =
      std::max(2 * (2 * TH + 2) * (TW + 1), 4 * TW);  // transform_input's, then transform_output's
  parallel_tasks<float>(
      N,
      [&](int64_t n, float* scratch) {
        float* V = scratch;
        float* M = scratch + v_size;
        transform_input(C, H, W, TH, TW, x + n * C * H * W, V, M + m_size);
        for (int64_t e = 0; e < 16; ++e)
          gemm<float>(CblasNoTrans, CblasNoTrans, O, T, C, U.data() + e * O * C, C, V + e * C * T, T, 0.0f,
                      M + e * O * T, T);
        transform_output(O, H, W, TH, TW, M, bias, out + n * O * H * W, M + m_size);
      },
      v_size + m_size + plane_size);
}

// Note [Winograd weight gradient]
// grad_w[o, c, kh, kw] = sum over images and outputs of
// grad_out[o, y, x] x[c, y + kh - 1, x + kw - 1]: per 2x2 tile of grad_out,
// a 3x3 correlation of its 4x4 input patch with the 2x2 tile, which is
// Winograd's F(3x3, 2x2): Y = A^T [(G' gt G'^T) * (B^T d B)] A, with the
// forward's B^T (so transform_input serves both; the last row of F(3, 2)'s
// own B^T is the forward's negated, and that sign moves into G'). Summed over
// tiles, the products become 16 GEMMs M_e (O, C) += U_e (O, T) V_e (C, T)^T
// per image, and one inverse transform of the sum gives the 3x3 gradients:
// 4 O C H W multiply-adds against im2col's 9 O C H W. Images are summed as
// conv.cpp's weight gradient sums them: fixed groups of consecutive images,
// each in image order into its own M, the groups' M added in group order, so
// the bits do not depend on the threads.
void winograd_conv3x3_weight_grad(int64_t N, int64_t C, int64_t H, int64_t W, int64_t O, const float* x,
                                  const float* grad_out, int64_t groups, int64_t group_size, float* grad_w) {
  const int64_t TH = (H + 1) / 2, TW = (W + 1) / 2, T = TH * TW;
  const int64_t v_size = 16 * C * T, u_size = 16 * O * T, m_size = 16 * O * C;
  const int64_t plane_size = 2 * (2 * TH + 2) * (TW + 1);
  std::vector<float> partial(groups * m_size);
  parallel_tasks<float>(
      groups,
      [&](int64_t group, float* scratch) {
        float* V = scratch;
        float* U = scratch + v_size;
        float* M = partial.data() + group * m_size;
        const int64_t first = group * group_size, last = std::min(N, first + group_size);
        for (int64_t n = first; n < last; ++n) {
          transform_input(C, H, W, TH, TW, x + n * C * H * W, V, U + u_size);
          transform_grad(O, H, W, TH, TW, grad_out + n * O * H * W, U);
          for (int64_t e = 0; e < 16; ++e)
            gemm<float>(CblasNoTrans, CblasTrans, O, C, T, U + e * O * T, T, V + e * C * T, T, n == first ? 0.0f : 1.0f,
                        M + e * O * C, C);
        }
      },
      v_size + u_size + plane_size);
  for (int64_t group = 1; group < groups; ++group)
    for (int64_t i = 0; i < m_size; ++i) partial[i] += partial[group * m_size + i];
  transform_weight_grad(O, C, partial.data(), grad_w);
}

}  // namespace tensor::cpu
