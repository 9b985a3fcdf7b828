// build_info(): one line saying what this build of the library runs with
// (version, compiler, target ISA and vector width, OpenBLAS core and config,
// thread count, CUDA or not), for bug reports and next to benchmark results.
#include "tensor/build_info.h"

#include <cblas.h>
#include <fmt/format.h>

#include "tensor/ops.h"

#ifndef DIFFUSE_VERSION
#define DIFFUSE_VERSION "unknown"
#endif

namespace tensor {

namespace {

// The widest SIMD the compiler was allowed to emit for our own loops (OpenBLAS
// picks its kernels at run time; its core is reported separately).
const char* vector_width() {
#if defined(__AVX512F__)
  return "AVX-512 (512-bit)";
#elif defined(__AVX2__)
  return "AVX2 (256-bit)";
#elif defined(__AVX__)
  return "AVX (256-bit)";
#elif defined(__SSE2__)
  return "SSE2 (128-bit)";
#elif defined(__ARM_NEON)
  return "NEON (128-bit)";
#else
  return "scalar";
#endif
}

const char* compiler() {
#if defined(__clang__)
  return "clang " __clang_version__;
#elif defined(__GNUC__)
  return "gcc " __VERSION__;
#else
  return "unknown compiler";
#endif
}

}  // namespace

std::string build_info() {
#ifdef DIFFUSE_NATIVE_BUILD
  const char* march = "-march=native";
#else
  const char* march = "portable";
#endif
#ifdef DIFFUSE_WITH_CUDA
  const char* cuda = "yes";
#else
  const char* cuda = "no";
#endif
  return fmt::format("diffuse {}; {}; {}, vectors {}; OpenBLAS core {} ({}); threads {}; CUDA {}", DIFFUSE_VERSION,
                     compiler(), march, vector_width(), openblas_get_corename(), openblas_get_config(),
                     get_num_threads(), cuda);
}

}  // namespace tensor
