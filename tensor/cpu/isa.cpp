// kernel_isa(): the widest copy of the vectorizable kernels this CPU can run,
// or DIFFUSE_CPU_ISA's (Note [Kernels per instruction set] in isa.h).
#include "tensor/cpu/isa.h"

#include <atomic>
#include <cstdlib>

#include "tensor/error.h"

namespace tensor::cpu {
namespace {

bool cpu_supports(Isa isa) {
#if defined(DIFFUSE_ISA_COPIES)
  switch (isa) {
    case Isa::Baseline:
      return true;
    case Isa::Avx2:
      return __builtin_cpu_supports("avx2");
    case Isa::Avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
             __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
  }
  return false;
#else
  return isa == Isa::Baseline;
#endif
}

Isa isa_from_name(const std::string& name) {
  if (name == "baseline") return Isa::Baseline;
  if (name == "avx2") return Isa::Avx2;
  if (name == "avx512") return Isa::Avx512;
  TENSOR_CHECK(false, "DIFFUSE_CPU_ISA={}: unknown instruction set (baseline, avx2 or avx512)", name);
  return Isa::Baseline;
}

Isa initial_isa() {
  if (const char* forced = std::getenv("DIFFUSE_CPU_ISA"); forced && *forced) {
    const Isa isa = isa_from_name(forced);
    TENSOR_CHECK(cpu_supports(isa), "DIFFUSE_CPU_ISA={}: this build or CPU has no {} kernels", forced, isa_name(isa));
    return isa;
  }
  return available_isas().back();
}

std::atomic<Isa>& current_isa() {
  static std::atomic<Isa> isa{initial_isa()};
  return isa;
}

}  // namespace

std::string isa_name(Isa isa) {
  switch (isa) {
    case Isa::Baseline:
      return "baseline";
    case Isa::Avx2:
      return "AVX2";
    case Isa::Avx512:
      return "AVX-512";
  }
  return "?";
}

std::vector<Isa> available_isas() {
  std::vector<Isa> isas;
  for (Isa isa : {Isa::Baseline, Isa::Avx2, Isa::Avx512})
    if (cpu_supports(isa)) isas.push_back(isa);
  return isas;
}

Isa kernel_isa() { return current_isa().load(std::memory_order_relaxed); }

void set_kernel_isa(Isa isa) {
  TENSOR_CHECK(cpu_supports(isa), "set_kernel_isa: this build or CPU has no {} kernels", isa_name(isa));
  current_isa().store(isa, std::memory_order_relaxed);
}

}  // namespace tensor::cpu
