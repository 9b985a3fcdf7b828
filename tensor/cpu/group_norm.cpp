// Fused GroupNorm (+ SiLU) on the CPU. Shapes: N batch, C channels, S
// positions (H*W), G groups of Cg = C/G channels; one (sample, group) is a
// contiguous run of M = Cg*S elements, normalized on its own.
//
// Forward, per (n, g):  mean, var = biased moments of the run; rstd = 1/sqrt(var + eps)
//   y = x * scale_c + shift_c  with scale_c = rstd * w_c, shift_c = b_c - mean * scale_c
//   out = silu ? y * sigmoid(y) : y
// Backward, per (n, g), with xhat = (x - mean) * rstd and dy = dL/dy
// (dy = g * sigmoid(y) * (1 + y * (1 - sigmoid(y))) when the SiLU is fused):
//   dL/db_c += sum_s dy,   dL/dw_c += sum_s dy * xhat
//   dx = rstd * (w_c dy - A - xhat * B),  A = mean over the run of w_c dy,
//                                         B = mean over the run of w_c dy xhat
// (the usual normalization backward: the mean and variance depend on every x,
// which is where A and B come from; see docs/nn.md).
// Sums run in double, in eight lanes (Note [Sums in eight lanes]); the
// elementwise passes stay in T so they vectorize.
// Threads take whole (n, g) runs, each summed in a fixed order, and dw, db add
// the per-sample sums in sample order on one thread, so the bits do not
// depend on the thread count (Note [Same bits for any thread count] in parallel.h).
#include <algorithm>
#include <cmath>
#include <vector>

#include "tensor/cpu/isa.h"
#include "tensor/cpu/kernels.h"
#include "tensor/cpu/parallel.h"
#include "tensor/cpu/vec_math.h"

// Last, so that only this file's functions get the copy's instruction set, and
// one copy per instruction set (Note [Kernels per instruction set] in isa.h).
#include "tensor/cpu/isa_target_begin.h"

namespace tensor::cpu::DIFFUSE_ISA {
namespace {

struct GroupGeometry {
  int64_t N, C, S, G, Cg, M;
};

GroupGeometry geometry(const Tensor& x, int64_t groups) {
  const int64_t N = x.size(0), C = x.size(1), S = x.numel() / std::max<int64_t>(1, N * C);
  return {N, C, S, groups, C / groups, (C / groups) * S};
}

// Note [Sums in eight lanes]
// The sum of term(i) for i in [0, n), as eight running sums (lane j takes the
// i with i % 8 == j) added in a fixed tree at the end. The compiler keeps the
// eight lanes in vector registers whatever its vector width (two doubles per
// SSE2 register, four per AVX2, eight per AVX-512), so every copy of this file
// (Note [Kernels per instruction set] in isa.h) adds in the same order and
// gives the same bits; `omp simd reduction` would add in as many lanes as the
// vector has, a different order per copy.
template <typename F>
double lane_sum(int64_t n, F term) {
  double lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) lane[j] += term(i + j);
  for (int j = 0; i < n; ++i, ++j) lane[j] += term(i);
  return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
}

// Runs per (n, g) work item in [0, N*G), items split over threads.
template <typename F>
void for_each_group(const GroupGeometry& g, F&& f) {
  const int64_t grain = std::max<int64_t>(1, kDefaultGrain / std::max<int64_t>(1, g.M));
  parallel_for(0, g.N * g.G, grain, [&](int64_t lo, int64_t hi) {
    for (int64_t ng = lo; ng < hi; ++ng) f(ng);
  });
}

template <typename T>
void forward_typed(const Tensor& out, const Tensor& mean, const Tensor& rstd, const Tensor& x, const Tensor& weight,
                   const Tensor& bias, int64_t groups, double eps, bool silu) {
  const GroupGeometry g = geometry(x, groups);
  const T* px = x.data<T>();
  const T* pw = weight.defined() ? weight.data<T>() : nullptr;
  const T* pb = bias.defined() ? bias.data<T>() : nullptr;
  T* po = out.data<T>();
  T* pmean = mean.data<T>();
  T* prstd = rstd.data<T>();
  for_each_group(g, [&](int64_t ng) {
    const T* xg = px + ng * g.M;
    const double mu = lane_sum(g.M, [&](int64_t i) { return double(xg[i]); }) / static_cast<double>(g.M);
    const double sq = lane_sum(g.M, [&](int64_t i) {
      const double d = xg[i] - mu;
      return d * d;
    });
    const double r = 1.0 / std::sqrt(sq / static_cast<double>(g.M) + eps);
    pmean[ng] = static_cast<T>(mu);
    prstd[ng] = static_cast<T>(r);
    const int64_t c0 = (ng % g.G) * g.Cg;
    for (int64_t ci = 0; ci < g.Cg; ++ci) {
      const int64_t c = c0 + ci;
      const double w = pw ? pw[c] : 1.0, b = pb ? pb[c] : 0.0;
      const T scale = static_cast<T>(r * w), shift = static_cast<T>(b - mu * r * w);
      const T* xs = xg + ci * g.S;
      T* os = po + ng * g.M + ci * g.S;
      if (silu) {
#pragma omp simd
        for (int64_t s = 0; s < g.S; ++s) {
          const T y = xs[s] * scale + shift;
          os[s] = y / (T(1) + exp_t(-y));
        }
      } else {
#pragma omp simd
        for (int64_t s = 0; s < g.S; ++s) os[s] = xs[s] * scale + shift;
      }
    }
  });
}

template <typename T>
void backward_typed(const Tensor& grad_x, const Tensor& grad_weight, const Tensor& grad_bias, const Tensor& grad_out,
                    const Tensor& x, const Tensor& mean, const Tensor& rstd, const Tensor& weight, const Tensor& bias,
                    int64_t groups, bool silu) {
  const GroupGeometry g = geometry(x, groups);
  const T* px = x.data<T>();
  const T* pg = grad_out.data<T>();
  const T* pw = weight.defined() ? weight.data<T>() : nullptr;
  const T* pb = bias.defined() ? bias.data<T>() : nullptr;
  const T* pmean = mean.data<T>();
  const T* prstd = rstd.data<T>();
  T* pgx = grad_x.data<T>();
  // Per-(n, c) sums for dw and db; each work item writes its own channels.
  std::vector<double> sum_dy(g.N * g.C), sum_dy_xhat(g.N * g.C);
  for_each_group(g, [&](int64_t ng) {
    const int64_t n = ng / g.G, c0 = (ng % g.G) * g.Cg;
    const T mu = pmean[ng], r = prstd[ng];
    const T* xg = px + ng * g.M;
    const T* gg = pg + ng * g.M;
    T* dx = pgx + ng * g.M;  // holds dy until the second pass overwrites it with dx
    double A = 0, B = 0;
    for (int64_t ci = 0; ci < g.Cg; ++ci) {
      const int64_t c = c0 + ci;
      const T w = pw ? pw[c] : T(1), b = pb ? pb[c] : T(0);
      const T scale = r * w, shift = b - mu * scale;
      const T* xs = xg + ci * g.S;
      const T* gs = gg + ci * g.S;
      T* dys = dx + ci * g.S;
      // Two loops rather than one with a branch: GCC vectorizes each (the
      // fused version ran 3x slower, unvectorized).
      if (silu) {
#pragma omp simd
        for (int64_t s = 0; s < g.S; ++s) {
          const T y = xs[s] * scale + shift;
          const T sig = T(1) / (T(1) + exp_t(-y));
          dys[s] = gs[s] * sig * (T(1) + y * (T(1) - sig));
        }
      } else {
        std::copy(gs, gs + g.S, dys);
      }
      const double s_dy = lane_sum(g.S, [&](int64_t s) { return double(dys[s]); });
      const double s_dy_xhat = lane_sum(g.S, [&](int64_t s) { return double(dys[s] * ((xs[s] - mu) * r)); });
      sum_dy[n * g.C + c] = s_dy;
      sum_dy_xhat[n * g.C + c] = s_dy_xhat;
      A += w * s_dy;
      B += w * s_dy_xhat;
    }
    const T a = static_cast<T>(A / static_cast<double>(g.M)), bb = static_cast<T>(B / static_cast<double>(g.M));
    for (int64_t ci = 0; ci < g.Cg; ++ci) {
      const T w = pw ? pw[c0 + ci] : T(1);
      const T* xs = xg + ci * g.S;
      T* ds = dx + ci * g.S;
#pragma omp simd
      for (int64_t s = 0; s < g.S; ++s) ds[s] = r * (w * ds[s] - a - (xs[s] - mu) * r * bb);
    }
  });
  // dw and db: sum the per-sample parts over the batch, in sample order.
  if (grad_weight.defined() || grad_bias.defined()) {
    T* gw = grad_weight.defined() ? grad_weight.data<T>() : nullptr;
    T* gb = grad_bias.defined() ? grad_bias.data<T>() : nullptr;
    for (int64_t c = 0; c < g.C; ++c) {
      double w_acc = 0, b_acc = 0;
      for (int64_t n = 0; n < g.N; ++n) {
        w_acc += sum_dy_xhat[n * g.C + c];
        b_acc += sum_dy[n * g.C + c];
      }
      if (gw) gw[c] = static_cast<T>(w_acc);
      if (gb) gb[c] = static_cast<T>(b_acc);
    }
  }
}

}  // namespace

void group_norm_forward(const Tensor& out, const Tensor& mean, const Tensor& rstd, const Tensor& x,
                        const Tensor& weight, const Tensor& bias, int64_t groups, double eps, bool silu) {
  dispatch_float(x.dtype(), "group_norm", [&](auto tag) {
    forward_typed<typename decltype(tag)::type>(out, mean, rstd, x, weight, bias, groups, eps, silu);
  });
}

void group_norm_backward(const Tensor& grad_x, const Tensor& grad_weight, const Tensor& grad_bias,
                         const Tensor& grad_out, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                         const Tensor& weight, const Tensor& bias, int64_t groups, bool silu) {
  dispatch_float(x.dtype(), "group_norm_backward", [&](auto tag) {
    backward_typed<typename decltype(tag)::type>(grad_x, grad_weight, grad_bias, grad_out, x, mean, rstd, weight, bias,
                                                 groups, silu);
  });
}

}  // namespace tensor::cpu::DIFFUSE_ISA

#include "tensor/cpu/isa_target_end.h"
