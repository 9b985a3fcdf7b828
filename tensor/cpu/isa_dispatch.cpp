// The entry points of kernels.h whose kernels are compiled once per
// instruction set: each calls the copy kernel_isa() names (Note [Kernels per
// instruction set] in isa.h).
#include "tensor/cpu/isa.h"
#include "tensor/cpu/kernels.h"

namespace tensor::cpu {

#if defined(DIFFUSE_ISA_COPIES)
#define DIFFUSE_CALL_ISA(kernel, ...)       \
  switch (kernel_isa()) {                   \
    case Isa::Avx512:                       \
      return avx512::kernel(__VA_ARGS__);   \
    case Isa::Avx2:                         \
      return avx2::kernel(__VA_ARGS__);     \
    case Isa::Baseline:                     \
      return baseline::kernel(__VA_ARGS__); \
  }
#else
#define DIFFUSE_CALL_ISA(kernel, ...) return baseline::kernel(__VA_ARGS__);
#endif

void unary(UnaryOp op, const Tensor& out, const Tensor& in, double p0, double p1) {
  DIFFUSE_CALL_ISA(unary, op, out, in, p0, p1)
}

void binary(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b) {
  DIFFUSE_CALL_ISA(binary, op, out, a, b)
}

void where(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  DIFFUSE_CALL_ISA(where, out, cond, a, b)
}

void group_norm_forward(const Tensor& out, const Tensor& mean, const Tensor& rstd, const Tensor& x,
                        const Tensor& weight, const Tensor& bias, int64_t groups, double eps, bool silu) {
  DIFFUSE_CALL_ISA(group_norm_forward, out, mean, rstd, x, weight, bias, groups, eps, silu)
}

void group_norm_backward(const Tensor& grad_x, const Tensor& grad_weight, const Tensor& grad_bias,
                         const Tensor& grad_out, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                         const Tensor& weight, const Tensor& bias, int64_t groups, bool silu) {
  DIFFUSE_CALL_ISA(group_norm_backward, grad_x, grad_weight, grad_bias, grad_out, x, mean, rstd, weight, bias, groups,
                   silu)
}

void adam_step(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
               const AdamStepParams& p) {
  DIFFUSE_CALL_ISA(adam_step, param, grad, exp_avg, exp_avg_sq, p)
}

}  // namespace tensor::cpu
