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
#include <memory>
#include <string>
#include <vector>

#include "tensor/cpu/blas.h"
#include "tensor/cpu/parallel.h"
#include "tensor/cpu/rearrange.h"

namespace tensor::cpu {
namespace {

// U (16, O, C): the transformed kernel G g G^T for every (o, c), position-major.
// Output channels over the threads (on one thread it was an eighth of a 7x7
// convolution's time at two threads); for each, w's row is first transposed
// to (9, C), so the loop over input channels reads and writes contiguous
// runs and vectorizes. The kernel is transformed at every call, which matters
// at small batches: DDIM-50 of one 28x28 image took 0.28 s before this
// loop vectorized and 0.21 s after.
std::vector<float> transform_kernel(int64_t O, int64_t C, const float* w) {
  std::vector<float> U(16 * O * C);
  parallel_for(0, O, std::max<int64_t>(1, 2048 / C), [&](int64_t o_lo, int64_t o_hi) {
    std::vector<float> wt(9 * C);  // row o of w as (9, C): tap k of every channel contiguous
    for (int64_t o = o_lo; o < o_hi; ++o) {
      transpose(C, 9, w + o * C * 9, wt.data());
      const float* g = wt.data();
      float* u = U.data() + o * C;  // U_e's row o at u + e O C
      const int64_t e_step = O * C;
#pragma omp simd
      for (int64_t c = 0; c < C; ++c) {
        float Gg[4][3];  // G g: 4 x 3
        for (int j = 0; j < 3; ++j) {
          const float g0 = g[j * C + c], g1 = g[(3 + j) * C + c], g2 = g[(6 + j) * C + c];
          Gg[0][j] = g0;
          Gg[1][j] = 0.5f * (g0 + g1 + g2);
          Gg[2][j] = 0.5f * (g0 - g1 + g2);
          Gg[3][j] = g2;
        }
        for (int i = 0; i < 4; ++i) {  // (G g) G^T: 4 x 4
          u[(i * 4 + 0) * e_step + c] = Gg[i][0];
          u[(i * 4 + 1) * e_step + c] = 0.5f * (Gg[i][0] + Gg[i][1] + Gg[i][2]);
          u[(i * 4 + 2) * e_step + c] = 0.5f * (Gg[i][0] - Gg[i][1] + Gg[i][2]);
          u[(i * 4 + 3) * e_step + c] = Gg[i][2];
        }
      }
    }
  });
  return U;
}

// The tiles of one image, and where transform_input puts them.
// A row of tiles is TW tiles long: 14 at 28x28, 7 at 14x14, 4 at 7x7. Loops
// that short spend more on their remainder than on their vectors, so each
// row is computed over TWp = TW rounded up to kTileRun tiles; the extra tiles
// (zeros, or the next row's) land where the next row, or the padding after
// the last channel, overwrites or ignores them. So V_e (C, T) lies at
// e * v_step, a few floats more than C T apart.
constexpr int64_t kTileRun = 4;
struct TileLayout {
  int64_t TH, TW, T, TWp, v_step, plane_size;
  TileLayout(int64_t C, int64_t H, int64_t W)
      : TH((H + 1) / 2),
        TW((W + 1) / 2),
        T(TH * TW),
        TWp((TW + kTileRun - 1) / kTileRun * kTileRun),
        v_step(C * T + kTileRun),
        plane_size(2 * (2 * TH + 2) * (TWp + 1)) {}
  int64_t v_size() const { return 16 * v_step; }
};

// One row i of B^T d over a run of n tiles, then its four values along B:
// V[i * 4 + j] at v[j]. Row i of B^T takes plane row a plus or minus plane
// row b (of the even columns; p and q are the same rows of the odd ones).
template <bool kSubtract>
void input_row(const float* a, const float* b, const float* p, const float* q, int64_t n, float* const v[4]) {
  float *v0 = v[0], *v1 = v[1], *v2 = v[2], *v3 = v[3];
#pragma omp simd
  for (int64_t tx = 0; tx < n; ++tx) {
    // The patch's columns: even[tx], odd[tx], even[tx + 1], odd[tx + 1].
    const float c0 = kSubtract ? a[tx] - b[tx] : a[tx] + b[tx];
    const float c1 = kSubtract ? p[tx] - q[tx] : p[tx] + q[tx];
    const float c2 = kSubtract ? a[tx + 1] - b[tx + 1] : a[tx + 1] + b[tx + 1];
    const float c3 = kSubtract ? p[tx + 1] - q[tx + 1] : p[tx + 1] + q[tx + 1];
    v0[tx] = c0 - c2;
    v1[tx] = c1 + c2;
    v2[tx] = c2 - c1;
    v3[tx] = c1 - c3;
  }
}

// V (16, C, T) for one image (V_e at e * v_step): B^T d B for every channel and tile.
// Each channel is first copied into a zero-bordered plane (the padding, and
// the extra row and column of an odd side), stored as its even and its odd
// columns apart: the patch of tile tx covers plane columns 2tx .. 2tx+3, that
// is even[tx], odd[tx], even[tx+1], odd[tx+1]. So the loops over a row of
// tiles read and write only contiguous runs, and the compiler vectorizes them.
void transform_input(int64_t C, int64_t H, int64_t W, const TileLayout& L, const float* img, float* V, float* plane) {
  const int64_t PH = 2 * L.TH + 2, half = L.TWp + 1;
  float* even = plane;             // (PH, TWp + 1): plane column 2k, image column 2k - 1
  float* odd = plane + PH * half;  // (PH, TWp + 1): plane column 2k + 1, image column 2k
  std::fill(plane, plane + L.plane_size, 0.0f);
  for (int64_t c = 0; c < C; ++c) {
    const float* channel = img + c * H * W;
    // Image column 2k is plane column 2k + 1 (odd[k]), image column 2k + 1 is even[k + 1].
    for (int64_t y = 0; y < H; ++y) split_columns(channel + y * W, W, odd + (y + 1) * half, even + (y + 1) * half + 1);
    for (int64_t ty = 0; ty < L.TH; ++ty) {
      const float *e0 = even + 2 * ty * half, *e1 = e0 + half, *e2 = e1 + half, *e3 = e2 + half;
      const float *o0 = odd + 2 * ty * half, *o1 = o0 + half, *o2 = o1 + half, *o3 = o2 + half;
      float* v = V + c * L.T + ty * L.TW;
      float* row[4][4];
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) row[i][j] = v + (i * 4 + j) * L.v_step;
      // The rows of B^T: d0 - d2, d1 + d2, d2 - d1, d1 - d3.
      input_row<true>(e0, e2, o0, o2, L.TWp, row[0]);
      input_row<false>(e1, e2, o1, o2, L.TWp, row[1]);
      input_row<true>(e2, e1, o2, o1, L.TWp, row[2]);
      input_row<true>(e1, e3, o1, o3, L.TWp, row[3]);
    }
  }
}

// out (O, H, W) for one image from M (16, O, T): A^T m A, plus the bias. A
// row of tiles makes two output rows (2 TW wide), written straight into the
// image; on an odd side, where a row of tiles is one column wider than the
// image (or the last one row taller), they are built in `rows` and copied
// without the extra column or row.
void transform_output(int64_t O, int64_t H, int64_t W, const TileLayout& L, const float* M, const float* bias,
                      float* out, float* rows) {
  const int64_t TH = L.TH, TW = L.TW, T = L.T, step = O * T;
  for (int64_t o = 0; o < O; ++o) {
    const float b = bias ? bias[o] : 0.0f;
    float* plane = out + o * H * W;
    for (int64_t ty = 0; ty < TH; ++ty) {
      const bool whole_top = W % 2 == 0, whole_bottom = whole_top && 2 * ty + 1 < H;
      float* top = whole_top ? plane + 2 * ty * W : rows;
      float* bottom = whole_bottom ? plane + (2 * ty + 1) * W : rows + 2 * TW;
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
      if (!whole_top) std::copy(top, top + W, plane + 2 * ty * W);
      if (!whole_bottom && 2 * ty + 1 < H) std::copy(bottom, bottom + W, plane + (2 * ty + 1) * W);
    }
  }
}

// The weight gradient's transform (Note [Winograd weight gradient]).
// Ut (16, T, O) for one image, Ut_e at e * T O: G' gt G'^T for every 2x2 tile
// gt of grad_out and every output channel (zero past an odd side's edge),
// with G' = [1 0; 1/2 1/2; 1/2 -1/2; 0 -1]. It reads grad_out channels-last,
// gt_hwc (H, W, O), so the four pixels of a tile are four runs of O floats
// and the loop over channels vectorizes, and it writes each tile's 16 values
// as runs of O floats too: the (T, O) blocks the GEMM takes untransposed.
void transform_grad(int64_t O, int64_t H, int64_t W, const TileLayout& L, const float* gt_hwc, const float* zeros,
                    float* Ut) {
  const int64_t u_step = L.T * O;
  for (int64_t ty = 0; ty < L.TH; ++ty)
    for (int64_t tx = 0; tx < L.TW; ++tx) {
      const int64_t y = 2 * ty, x = 2 * tx;
      auto pixel = [&](int64_t py, int64_t px) { return py < H && px < W ? gt_hwc + (py * W + px) * O : zeros; };
      const float *g00 = pixel(y, x), *g01 = pixel(y, x + 1), *g10 = pixel(y + 1, x), *g11 = pixel(y + 1, x + 1);
      float* u = Ut + (ty * L.TW + tx) * O;
#pragma omp simd
      for (int64_t o = 0; o < O; ++o) {
        const float r[4][2] = {{g00[o], g01[o]},  // G' gt
                               {0.5f * (g00[o] + g10[o]), 0.5f * (g01[o] + g11[o])},
                               {0.5f * (g00[o] - g10[o]), 0.5f * (g01[o] - g11[o])},
                               {-g10[o], -g11[o]}};
        for (int i = 0; i < 4; ++i) {  // (G' gt) G'^T
          u[(i * 4 + 0) * u_step + o] = r[i][0];
          u[(i * 4 + 1) * u_step + o] = 0.5f * (r[i][0] + r[i][1]);
          u[(i * 4 + 2) * u_step + o] = 0.5f * (r[i][0] - r[i][1]);
          u[(i * 4 + 3) * u_step + o] = -r[i][1];
        }
      }
    }
}

// grad_w (O, C, 3, 3) from Mt (16, C, O): A^T m A for every (o, c), with
// A^T = [1 1 1 0; 0 1 -1 0; 0 1 1 1]; each (o, c) on its own, over the threads.
void transform_weight_grad(int64_t O, int64_t C, const float* Mt, float* grad_w) {
  const int64_t step = O * C;
  parallel_for(0, O * C, kDefaultGrain / 16, [&](int64_t lo, int64_t hi) {
    for (int64_t oc = lo; oc < hi; ++oc) {
      const float* m = Mt + (oc % C) * O + oc / C;  // (c, o) of position 0
      float am[3][4];  // A^T m
      for (int j = 0; j < 4; ++j) {
        const float m0 = m[j * step], m1 = m[(4 + j) * step], m2 = m[(8 + j) * step], m3 = m[(12 + j) * step];
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
  });
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
  const TileLayout L(C, H, W);
  const std::vector<float> U = transform_kernel(O, C, w);
  const int64_t m_size = 16 * O * L.T;
  const int64_t plane_size = std::max(L.plane_size, 4 * L.TW);  // transform_input's, then transform_output's
  parallel_tasks<float>(
      N,
      [&](int64_t n, float* scratch) {
        float* V = scratch;
        float* M = scratch + L.v_size();
        transform_input(C, H, W, L, x + n * C * H * W, V, M + m_size);
        for (int64_t e = 0; e < 16; ++e)
          gemm<float>(CblasNoTrans, CblasNoTrans, O, L.T, C, U.data() + e * O * C, C, V + e * L.v_step, L.T, 0.0f,
                      M + e * O * L.T, L.T);
        transform_output(O, H, W, L, M, bias, out + n * O * H * W, M + m_size);
      },
      L.v_size() + m_size + plane_size);
}

// Note [Winograd weight gradient]
// grad_w[o, c, kh, kw] = sum over images and outputs of
// grad_out[o, y, x] x[c, y + kh - 1, x + kw - 1]: per 2x2 tile of grad_out,
// a 3x3 correlation of its 4x4 input patch with the 2x2 tile, which is
// Winograd's F(3x3, 2x2): Y = A^T [(G' gt G'^T) * (B^T d B)] A, with the
// forward's B^T (so transform_input serves both; the last row of F(3, 2)'s
// own B^T is the forward's negated, and that sign moves into G'). Summed over
// tiles, the products become 16 GEMMs per image,
//   Mt_e (C, O) += V_e (C, T) @ Ut_e (T, O),
// and one inverse transform of the sum gives the 3x3 gradients: 4 O C H W
// multiply-adds against im2col's 9 O C H W. The gradient side is built
// transposed (Ut, from grad_out transposed to channels-last) because
// OpenBLAS runs the same product as U_e (O, T) @ V_e (C, T)^T at about half
// the rate (BM_SgemmWeightGradForm in bench/tensor_bench.cpp: 72-95 against
// 157-173 GFLOP/s on one thread). Images are summed as conv.cpp's
// weight gradient sums them: fixed groups of consecutive images, each in
// image order into its own Mt, the groups' Mt added in group order, so the
// bits do not depend on the threads.
void winograd_conv3x3_weight_grad(int64_t N, int64_t C, int64_t H, int64_t W, int64_t O, const float* x,
                                  const float* grad_out, int64_t groups, int64_t group_size, float* grad_w) {
  const TileLayout L(C, H, W);
  const int64_t T = L.T, u_size = 16 * T * O, m_size = 16 * C * O, image_out = O * H * W;
  const std::vector<float> zeros(O, 0.0f);  // the pixels past an odd side's edge
  // Not zeroed: each group's first image writes its Mt whole (beta 0).
  const auto partial = std::make_unique_for_overwrite<float[]>(groups * m_size);
  parallel_tasks<float>(
      groups,
      [&](int64_t group, float* scratch) {
        float* V = scratch;
        float* Ut = V + L.v_size();
        float* gt_hwc = Ut + u_size;
        float* plane = gt_hwc + image_out;
        float* Mt = partial.get() + group * m_size;
        const int64_t first = group * group_size, last = std::min(N, first + group_size);
        for (int64_t n = first; n < last; ++n) {
          transform_input(C, H, W, L, x + n * C * H * W, V, plane);
          transpose(O, H * W, grad_out + n * image_out, gt_hwc);
          transform_grad(O, H, W, L, gt_hwc, zeros.data(), Ut);
          for (int64_t e = 0; e < 16; ++e)
            gemm<float>(CblasNoTrans, CblasNoTrans, C, O, T, V + e * L.v_step, T, Ut + e * T * O, O,
                        n == first ? 0.0f : 1.0f, Mt + e * C * O, O);
        }
      },
      L.v_size() + u_size + image_out + L.plane_size);
  const auto summed = std::make_unique_for_overwrite<float[]>(m_size);
  add_parts_in_order(partial.get(), groups, m_size, summed.get());
  transform_weight_grad(O, C, summed.get(), grad_w);
}

}  // namespace tensor::cpu
