// The AdamW update on CUDA, one thread per element: the body of the CPU
// Adam loop (nn/optim/adam.cpp; tensor/cpu/adam.cpp once Adam is a tensor
// op), the same operations in the same order on the same dtype-rounded
// scalars, so float32 runs track the CPU. (nvcc, like GCC on an FMA machine,
// may fuse a multiply and an add; that, and nothing else, can make the two
// differ in the last bit.)
#include <cmath>

#include "tensor/cuda/adam.h"
#include "tensor/cuda/scalar_type.cuh"
#include "tensor/cuda/strided.cuh"

namespace tensor::cuda {
namespace {

template <typename T>
struct Scalars {
  T decay, wd, beta1, one_minus_beta1, beta2, one_minus_beta2, neg_step_size, bc2_sqrt, eps;
  bool decoupled, l2;
};

// sqrtf for float (a plain sqrt could promote to double and round twice).
template <typename T>
__device__ T sqrt_of(T v) {
  if constexpr (sizeof(T) == sizeof(float))
    return sqrtf(v);
  else
    return sqrt(v);
}

template <typename T>
__global__ void adam_kernel(T* p, const T* g, T* m, T* v, int64_t n, Scalars<T> s) {
  GRID_STRIDE_LOOP(i, n) {
    T grad = g[i];
    T param = p[i];
    if (s.decoupled)
      param = param * s.decay;
    else if (s.l2)
      grad = grad + s.wd * param;
    const T m_new = m[i] * s.beta1 + s.one_minus_beta1 * grad;
    const T v_new = v[i] * s.beta2 + s.one_minus_beta2 * grad * grad;
    m[i] = m_new;
    v[i] = v_new;
    const T denom = sqrt_of(v_new) / s.bc2_sqrt + s.eps;
    p[i] = param + s.neg_step_size * (m_new / denom);
  }
}

}  // namespace

void launch_adam_step(ScalarType dtype, void* param, const void* grad, void* exp_avg, void* exp_avg_sq, int64_t n,
                      const AdamScalars& s) {
  if (n == 0) return;
  with_float_type(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const Scalars<T> st{T(s.decay),
                        T(s.weight_decay),
                        T(s.beta1),
                        T(s.one_minus_beta1),
                        T(s.beta2),
                        T(s.one_minus_beta2),
                        T(s.neg_step_size),
                        T(s.bias_correction2_sqrt),
                        T(s.eps),
                        s.decoupled,
                        s.l2};
    adam_kernel<T><<<blocks_for(n), kBlockSize, 0, stream()>>>(static_cast<T*>(param), static_cast<const T*>(grad),
                                                               static_cast<T*>(exp_avg), static_cast<T*>(exp_avg_sq), n,
                                                               st);
  });
  DIFFUSE_CUDA_CHECK_LAUNCH("adam_step");
}

}  // namespace tensor::cuda
