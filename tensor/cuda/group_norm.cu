// Fused GroupNorm (+ SiLU) on CUDA: the math of tensor/cpu/group_norm.cpp
// (its header derives the backward), one thread block per (sample, group).
// Sums run in double like the CPU's, reduced by block_sum in a fixed order,
// so a result does not depend on timing: no atomics anywhere. The weight and
// bias gradients are summed over the batch by a second kernel, one thread
// per channel, in batch order.
#include "tensor/cuda/group_norm.h"
#include "tensor/cuda/scalar_type.cuh"
#include "tensor/cuda/strided.cuh"

namespace tensor::cuda {
namespace {

constexpr int kWarps = kBlockSize / 32;

// The sum of every thread's v, returned to every thread: a shuffle tree
// within each warp, then one over the warp sums, in the same order on every
// run. shared holds kWarps + 1 doubles; the first __syncthreads keeps a
// call from overwriting what threads may still read from the previous one.
__device__ double block_sum(double v, double* shared) {
  for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_down_sync(0xffffffffu, v, offset);
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  __syncthreads();
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  if (warp == 0) {
    v = lane < kWarps ? shared[lane] : 0.0;
    for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_down_sync(0xffffffffu, v, offset);
    if (lane == 0) shared[kWarps] = v;
  }
  __syncthreads();
  return shared[kWarps];
}

template <typename T>
__device__ T exp_of(T v) {
  if constexpr (sizeof(T) == sizeof(float))
    return expf(v);
  else
    return exp(v);
}

// dL/dy from dL/dout: the SiLU's derivative when it is fused.
template <typename T>
__device__ T grad_before_silu(T x, T grad, T scale, T shift, bool silu) {
  if (!silu) return grad;
  const T y = x * scale + shift;
  const T sig = T(1) / (T(1) + exp_of(-y));
  return grad * sig * (T(1) + y * (T(1) - sig));
}

template <typename T>
__global__ void __launch_bounds__(kBlockSize)
    forward_kernel(T* out, T* mean, T* rstd, const T* x, const T* weight, const T* bias, GroupNormGeometry g,
                   double eps, bool silu) {
  __shared__ double shared[kWarps + 1];
  const int64_t ng = blockIdx.x, Cg = g.C / g.G, M = Cg * g.S;
  const T* xg = x + ng * M;
  double sum = 0;
  for (int64_t i = threadIdx.x; i < M; i += blockDim.x) sum += xg[i];
  const double mu = block_sum(sum, shared) / static_cast<double>(M);
  double sq = 0;
  for (int64_t i = threadIdx.x; i < M; i += blockDim.x) {
    const double d = xg[i] - mu;
    sq += d * d;
  }
  const double r = 1.0 / sqrt(block_sum(sq, shared) / static_cast<double>(M) + eps);
  if (threadIdx.x == 0) {
    mean[ng] = static_cast<T>(mu);
    rstd[ng] = static_cast<T>(r);
  }
  const int64_t c0 = (ng % g.G) * Cg;
  T* og = out + ng * M;
  for (int64_t i = threadIdx.x; i < M; i += blockDim.x) {
    const int64_t c = c0 + i / g.S;
    const double w = weight ? static_cast<double>(weight[c]) : 1.0, b = bias ? static_cast<double>(bias[c]) : 0.0;
    const T scale = static_cast<T>(r * w), shift = static_cast<T>(b - mu * r * w);
    const T y = xg[i] * scale + shift;
    og[i] = silu ? y / (T(1) + exp_of(-y)) : y;
  }
}

template <typename T>
__global__ void __launch_bounds__(kBlockSize)
    backward_kernel(T* grad_x, const T* grad_out, const T* x, const T* mean, const T* rstd, const T* weight,
                    const T* bias, double* sum_dy, double* sum_dy_xhat, GroupNormGeometry g, bool silu) {
  __shared__ double shared[kWarps + 1];
  const int64_t ng = blockIdx.x, Cg = g.C / g.G, M = Cg * g.S;
  const int64_t n = ng / g.G, c0 = (ng % g.G) * Cg;
  const T mu = mean[ng], r = rstd[ng];
  const T* xg = x + ng * M;
  const T* gg = grad_out + ng * M;
  // Per channel: the sums for dw and db, and their weighted totals A and B.
  double A = 0, B = 0;
  for (int64_t ci = 0; ci < Cg; ++ci) {
    const int64_t c = c0 + ci;
    const T w = weight ? weight[c] : T(1), b = bias ? bias[c] : T(0);
    const T scale = r * w, shift = b - mu * scale;
    const T* xs = xg + ci * g.S;
    const T* gs = gg + ci * g.S;
    double s_dy = 0, s_dy_xhat = 0;
    for (int64_t s = threadIdx.x; s < g.S; s += blockDim.x) {
      const T dy = grad_before_silu(xs[s], gs[s], scale, shift, silu);
      s_dy += dy;
      s_dy_xhat += dy * ((xs[s] - mu) * r);
    }
    s_dy = block_sum(s_dy, shared);
    s_dy_xhat = block_sum(s_dy_xhat, shared);
    if (sum_dy && threadIdx.x == 0) {
      sum_dy[n * g.C + c] = s_dy;
      sum_dy_xhat[n * g.C + c] = s_dy_xhat;
    }
    A += w * s_dy;
    B += w * s_dy_xhat;
  }
  const T a = static_cast<T>(A / static_cast<double>(M)), bb = static_cast<T>(B / static_cast<double>(M));
  T* dx = grad_x + ng * M;
  for (int64_t i = threadIdx.x; i < M; i += blockDim.x) {
    const int64_t c = c0 + i / g.S;
    const T w = weight ? weight[c] : T(1), b = bias ? bias[c] : T(0);
    const T scale = r * w, shift = b - mu * scale;
    const T dy = grad_before_silu(xg[i], gg[i], scale, shift, silu);
    dx[i] = r * (w * dy - a - (xg[i] - mu) * r * bb);
  }
}

// dw_c = sum_n sum_dy_xhat[n][c], db_c = sum_n sum_dy[n][c], in batch order.
template <typename T>
__global__ void weight_bias_grad_kernel(T* grad_weight, T* grad_bias, const double* sum_dy, const double* sum_dy_xhat,
                                        GroupNormGeometry g) {
  GRID_STRIDE_LOOP(c, g.C) {
    double w_acc = 0, b_acc = 0;
    for (int64_t n = 0; n < g.N; ++n) {
      w_acc += sum_dy_xhat[n * g.C + c];
      b_acc += sum_dy[n * g.C + c];
    }
    if (grad_weight) grad_weight[c] = static_cast<T>(w_acc);
    if (grad_bias) grad_bias[c] = static_cast<T>(b_acc);
  }
}

}  // namespace

void launch_group_norm_forward(ScalarType dtype, void* out, void* mean, void* rstd, const void* x, const void* weight,
                               const void* bias, const GroupNormGeometry& g, double eps, bool silu) {
  if (g.N * g.G == 0) return;
  with_float_type(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    forward_kernel<T><<<static_cast<unsigned>(g.N * g.G), kBlockSize, 0, stream()>>>(
        static_cast<T*>(out), static_cast<T*>(mean), static_cast<T*>(rstd), static_cast<const T*>(x),
        static_cast<const T*>(weight), static_cast<const T*>(bias), g, eps, silu);
  });
  DIFFUSE_CUDA_CHECK_LAUNCH("group_norm");
}

void launch_group_norm_backward(ScalarType dtype, void* grad_x, void* grad_weight, void* grad_bias,
                                const void* grad_out, const void* x, const void* mean, const void* rstd,
                                const void* weight, const void* bias, double* sum_dy, double* sum_dy_xhat,
                                const GroupNormGeometry& g, bool silu) {
  with_float_type(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if (g.N * g.G > 0) {
      backward_kernel<T><<<static_cast<unsigned>(g.N * g.G), kBlockSize, 0, stream()>>>(
          static_cast<T*>(grad_x), static_cast<const T*>(grad_out), static_cast<const T*>(x),
          static_cast<const T*>(mean), static_cast<const T*>(rstd), static_cast<const T*>(weight),
          static_cast<const T*>(bias), sum_dy, sum_dy_xhat, g, silu);
    }
    if (sum_dy && g.C > 0) {
      weight_bias_grad_kernel<T><<<blocks_for(g.C), kBlockSize, 0, stream()>>>(
          static_cast<T*>(grad_weight), static_cast<T*>(grad_bias), sum_dy, sum_dy_xhat, g);
    }
  });
  DIFFUSE_CUDA_CHECK_LAUNCH("group_norm_backward");
}

}  // namespace tensor::cuda
