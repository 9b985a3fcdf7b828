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

// How weight decay enters: AdamW shrinks the parameter, Adam adds it to the
// gradient (nn/optim/adam.h), or there is none.
enum class Decay { Decoupled, InGradient, None };

// The constants of one step, in the parameter's dtype.
template <typename T>
struct AdamConstants {
  T decay, wd, beta1, one_minus_beta1, beta2, one_minus_beta2, neg_step_size, bc2_sqrt, eps;
};

// Elements [lo, hi): a loop without branches (the decay mode is a template
// argument), so it vectorizes; each element is updated on its own, so any
// split gives the same bits.
template <typename T, Decay kDecay>
void adam_range(T* param, const T* grad, T* m, T* v, int64_t lo, int64_t hi, const AdamConstants<T> c) {
#pragma omp simd
  for (int64_t i = lo; i < hi; ++i) {
    T g = grad[i];
    if constexpr (kDecay == Decay::Decoupled) param[i] = param[i] * c.decay;
    if constexpr (kDecay == Decay::InGradient) g = g + c.wd * param[i];
    m[i] = m[i] * c.beta1 + c.one_minus_beta1 * g;
    v[i] = v[i] * c.beta2 + c.one_minus_beta2 * g * g;
    const T denom = std::sqrt(v[i]) / c.bc2_sqrt + c.eps;
    param[i] = param[i] + c.neg_step_size * (m[i] / denom);
  }
}

template <typename T>
void adam_loop(T* param, const T* grad, T* m, T* v, int64_t n, const AdamStepParams& p) {
  const double bias_correction1 = 1.0 - std::pow(p.beta1, static_cast<double>(p.step));
  const double bias_correction2 = 1.0 - std::pow(p.beta2, static_cast<double>(p.step));
  const AdamConstants<T> c{static_cast<T>(1.0 - p.lr * p.weight_decay),
                           static_cast<T>(p.weight_decay),
                           static_cast<T>(p.beta1),
                           static_cast<T>(1.0 - p.beta1),
                           static_cast<T>(p.beta2),
                           static_cast<T>(1.0 - p.beta2),
                           static_cast<T>(-(p.lr / bias_correction1)),
                           static_cast<T>(std::sqrt(bias_correction2)),
                           static_cast<T>(p.eps)};
  const Decay mode = p.decoupled ? Decay::Decoupled : p.weight_decay != 0 ? Decay::InGradient : Decay::None;
  parallel_for(0, n, 65536, [&](int64_t lo, int64_t hi) {
    switch (mode) {
      case Decay::Decoupled:
        return adam_range<T, Decay::Decoupled>(param, grad, m, v, lo, hi, c);
      case Decay::InGradient:
        return adam_range<T, Decay::InGradient>(param, grad, m, v, lo, hi, c);
      case Decay::None:
        return adam_range<T, Decay::None>(param, grad, m, v, lo, hi, c);
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
