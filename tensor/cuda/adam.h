// The launcher of adam.cu, called by adam.cpp (plain C++): the AdamW update
// with its per-step scalars already worked out on the host, in the
// parameter's dtype, as the CPU Adam kernel does before its loop.
#pragma once
#include <cstdint>

#include "tensor/cuda/launch.h"

namespace tensor::cuda {

// The scalars of one Adam step, in double; the launcher rounds each to the
// parameter's dtype, as the CPU kernel's static_casts do.
struct AdamScalars {
  double decay, weight_decay, beta1, one_minus_beta1, beta2, one_minus_beta2, neg_step_size, bias_correction2_sqrt, eps;
  bool decoupled, l2;  // AdamW's decay / Adam's L2 term in the gradient
};

// For i < n: updates param[i], exp_avg[i], exp_avg_sq[i] from grad[i].
void launch_adam_step(ScalarType dtype, void* param, const void* grad, void* exp_avg, void* exp_avg_sq, int64_t n,
                      const AdamScalars& s);

}  // namespace tensor::cuda
