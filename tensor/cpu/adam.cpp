// The Adam/AdamW update as one pass over a parameter's elements. The
// arithmetic is done in the parameter's dtype in PyTorch's order (each scalar
// rounded to that dtype first), so float32 runs track PyTorch to rounding.
#include <cmath>

#include "tensor/cpu/isa.h"
#include "tensor/cpu/kernels.h"
#include "tensor/cpu/parallel.h"
#include "tensor/dispatch.h"

// Last, so that only this file's functions get the copy's instruction set, and
// one copy per instruction set (Note [Kernels per instruction set] in isa.h).
#include "tensor/cpu/isa_target_begin.h"

namespace tensor::cpu::DIFFUSE_ISA {

namespace {
template <typename T>
void adam_loop(T* param, const T* grad, T* m, T* v, int64_t n, const AdamStepParams& p) {
  const double bias_correction1 = 1.0 - std::pow(p.beta1, static_cast<double>(p.step));
  const double bias_correction2 = 1.0 - std::pow(p.beta2, static_cast<double>(p.step));
  const T decay = static_cast<T>(1.0 - p.lr * p.weight_decay);
  const T wd = static_cast<T>(p.weight_decay);
  const T beta1 = static_cast<T>(p.beta1), one_minus_beta1 = static_cast<T>(1.0 - p.beta1);
  const T beta2 = static_cast<T>(p.beta2), one_minus_beta2 = static_cast<T>(1.0 - p.beta2);
  const T neg_step_size = static_cast<T>(-(p.lr / bias_correction1));
  const T bc2_sqrt = static_cast<T>(std::sqrt(bias_correction2));
  const T eps = static_cast<T>(p.eps);
  // Each element is updated on its own: any split gives the same bits.
  parallel_for(0, n, 65536, [&](int64_t lo, int64_t hi) {
#pragma omp simd
    for (int64_t i = lo; i < hi; ++i) {
      T g = grad[i];
      if (p.decoupled)
        param[i] = param[i] * decay;
      else if (p.weight_decay != 0)
        g = g + wd * param[i];
      m[i] = m[i] * beta1 + one_minus_beta1 * g;
      v[i] = v[i] * beta2 + one_minus_beta2 * g * g;
      const T denom = std::sqrt(v[i]) / bc2_sqrt + eps;
      param[i] = param[i] + neg_step_size * (m[i] / denom);
    }
  });
}
}  // namespace

void adam_step(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
               const AdamStepParams& p) {
  dispatch_float(param.dtype(), "adam_step", [&](auto tag) {
    using T = typename decltype(tag)::type;
    adam_loop<T>(param.data<T>(), grad.data<T>(), exp_avg.data<T>(), exp_avg_sq.data<T>(), param.numel(), p);
  });
}

}  // namespace tensor::cpu::DIFFUSE_ISA

#include "tensor/cpu/isa_target_end.h"
