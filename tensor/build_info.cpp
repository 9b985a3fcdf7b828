// build_info(): one line saying what this build of the library runs with
// (version, compiler, target ISA and vector width, OpenBLAS core and config,
// thread count, CUDA or not), for bug reports and next to benchmark results.
#include "tensor/build_info.h"

#include <cblas.h>
#include <fmt/format.h>

#include <cctype>

#include "tensor/cpu/isa.h"
#include "tensor/cpu/thread_pool.h"
#include "tensor/device.h"
#include "tensor/ops.h"

#ifndef DIFFUSE_VERSION
#define DIFFUSE_VERSION "unknown"
#endif

namespace tensor {

namespace {

// The widest SIMD the compiler was allowed to emit for our own loops (OpenBLAS
// picks its kernels at run time; its core is reported separately).
constexpr const char* kVectorIsa =
#if defined(__AVX512F__)
    "AVX-512";
constexpr int kVectorBits = 512;
#elif defined(__AVX2__)
    "AVX2";
constexpr int kVectorBits = 256;
#elif defined(__AVX__)
    "AVX";
constexpr int kVectorBits = 256;
#elif defined(__SSE2__)
    "SSE2";
constexpr int kVectorBits = 128;
#elif defined(__ARM_NEON)
    "NEON";
constexpr int kVectorBits = 128;
#else
    "scalar";
constexpr int kVectorBits = 0;
#endif

const char* compiler() {
#if defined(__clang__)
  return "clang " __clang_version__;
#elif defined(__GNUC__)
  return "gcc " __VERSION__;
#else
  return "unknown compiler";
#endif
}

std::string trimmed(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

}  // namespace

BuildFacts build_facts() {
  BuildFacts f;
  f.version = DIFFUSE_VERSION;
  f.compiler = compiler();
#ifdef DIFFUSE_NATIVE_BUILD
  f.native = true;
#endif
  f.vector_isa = kVectorIsa;
  f.vector_bits = kVectorBits;
  f.kernel_isa = cpu::isa_name(cpu::kernel_isa());
  f.blas_config = trimmed(openblas_get_config());
  f.blas_core = trimmed(openblas_get_corename());
  f.threads = get_num_threads();
  f.cpus = cpu::pool_cpus();
  f.cuda_built = cuda_built();
  return f;
}

std::string build_info() {
  const BuildFacts f = build_facts();
  const std::string vectors =
      f.vector_bits > 0 ? fmt::format("{} ({}-bit)", f.vector_isa, f.vector_bits) : f.vector_isa;
  return fmt::format(
      "diffuse {}; {}; {}, vectors {}, kernels {} (chosen at run time); OpenBLAS core {} ({}); "
      "threads {}; CUDA {}",
      f.version, f.compiler, f.native ? "-march=native" : "portable", vectors, f.kernel_isa, f.blas_core, f.blas_config,
      f.threads, f.cuda_built ? "yes" : "no");
}

}  // namespace tensor
