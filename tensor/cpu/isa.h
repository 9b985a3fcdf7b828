// Which instruction set the elementwise, GroupNorm and Adam kernels run with.
//
// Note [Kernels per instruction set]
// A portable build must run on any x86-64, so the compiler may only assume
// SSE2: 4 floats per instruction. Most CPUs have AVX2 (8) or AVX-512 (16).
// As PyTorch does (its CPU_CAPABILITY), the vectorizable kernel files
// (elementwise.cpp, group_norm.cpp, adam.cpp) are compiled once per
// instruction set, each copy in its own namespace (baseline, avx2, avx512),
// and the entry points of kernels.h (isa_dispatch.cpp) call the copy that
// kernel_isa() names, chosen once from what the CPU supports.
//
// - Only the kernel files' own functions get the wider target, through
//   `#pragma GCC target` after their #includes (isa_target_begin.h),
//   never through -mavx2 on the command line: an inline function or template
//   from a header (std::vector, strided_loop) instantiated in a wide copy
//   would otherwise be an AVX2 body under the same name as the baseline's,
//   and the linker keeps one of them for every caller, so a CPU without
//   AVX2 could end up running it. GCC compiles a template with the options
//   in force where it is defined, so header code stays baseline.
// - The copies give the same bits: no FMA (contraction would round a*b+c
//   once instead of twice), and the sums that vectorize are written with a
//   fixed number of lanes (Note [Sums in eight lanes] in group_norm.cpp)
//   rather than `omp simd reduction`, whose order follows the vector width.
//   tests/tensor/isa_test.cpp runs every copy the CPU has on the same input.
// - Builds with other compilers or CPUs have the baseline copy only.
//   DIFFUSE_CPU_ISA=baseline|avx2|avx512 in the environment picks a copy
//   (to compare them; one the CPU lacks is an error).
#pragma once
#include <string>
#include <vector>

#include "tensor/kernel_ops.h"
#include "tensor/tensor.h"

namespace tensor::cpu {

enum class Isa { Baseline, Avx2, Avx512 };

std::string isa_name(Isa isa);      // "baseline" (what the build targets), "AVX2", "AVX-512"
std::vector<Isa> available_isas();  // compiled in and supported by this CPU, narrowest first
Isa kernel_isa();                   // the copy the kernels run now
void set_kernel_isa(Isa isa);       // choose a copy; throws if it is not available

}  // namespace tensor::cpu

// The entry points each copy defines, in namespace tensor::cpu::<copy>.
#define DIFFUSE_ISA_KERNEL_DECLARATIONS                                                                     \
  void unary(UnaryOp op, const Tensor& out, const Tensor& in, double p0, double p1);                        \
  void binary(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b);                            \
  void where(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b);                      \
  void group_norm_forward(const Tensor& out, const Tensor& mean, const Tensor& rstd, const Tensor& x,       \
                          const Tensor& weight, const Tensor& bias, int64_t groups, double eps, bool silu); \
  void group_norm_backward(const Tensor& grad_x, const Tensor& grad_weight, const Tensor& grad_bias,        \
                           const Tensor& grad_out, const Tensor& x, const Tensor& mean, const Tensor& rstd, \
                           const Tensor& weight, const Tensor& bias, int64_t groups, bool silu);            \
  void adam_step(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,  \
                 const AdamStepParams& p);

namespace tensor::cpu::baseline {
DIFFUSE_ISA_KERNEL_DECLARATIONS
}
#if defined(DIFFUSE_ISA_COPIES)
namespace tensor::cpu::avx2 {
DIFFUSE_ISA_KERNEL_DECLARATIONS
}
namespace tensor::cpu::avx512 {
DIFFUSE_ISA_KERNEL_DECLARATIONS
}
#endif

// The copy being compiled: DIFFUSE_ISA names its namespace. CMake sets
// DIFFUSE_ISA_AVX2 or DIFFUSE_ISA_AVX512 for the wide copies; the target
// itself is switched on by isa_target_begin.h, included after a kernel
// file's other #includes, and off by isa_target_end.h at its end.
#if defined(DIFFUSE_ISA_AVX2)
#define DIFFUSE_ISA avx2
#elif defined(DIFFUSE_ISA_AVX512)
#define DIFFUSE_ISA avx512
#else
#define DIFFUSE_ISA baseline
#endif
