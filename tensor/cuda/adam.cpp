// CUDA adam_step: the per-step scalars, worked out on the host exactly as the
// CPU Adam loop does (bias corrections in double, each scalar then rounded to
// the parameter's dtype by the launcher), then one kernel pass.
#include "tensor/cuda/adam.h"

#include <cmath>

#include "tensor/cuda/kernels.h"
#include "tensor/cuda/view.h"

namespace tensor::cuda {

void adam_step(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
               const AdamStepParams& p) {
  const double bias_correction1 = 1.0 - std::pow(p.beta1, static_cast<double>(p.step));
  const double bias_correction2 = 1.0 - std::pow(p.beta2, static_cast<double>(p.step));
  const AdamScalars s{1.0 - p.lr * p.weight_decay,
                      p.weight_decay,
                      p.beta1,
                      1.0 - p.beta1,
                      p.beta2,
                      1.0 - p.beta2,
                      -(p.lr / bias_correction1),
                      std::sqrt(bias_correction2),
                      p.eps,
                      p.decoupled,
                      p.weight_decay != 0};
  launch_adam_step(scalar_type_of(param.dtype()), param.raw_data(), grad.raw_data(), exp_avg.raw_data(),
                   exp_avg_sq.raw_data(), param.numel(), s);
}

}  // namespace tensor::cuda
