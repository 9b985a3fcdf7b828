// What this build of the library runs with: the facts once (build_facts), and
// the one-line summary bench/compare_torch prints (build_info). `diffuse
// --version` lays out the same facts a line each (apps/cli_manners.cpp).
#pragma once
#include <string>

namespace tensor {

struct BuildFacts {
  std::string version;      // the project's version
  std::string compiler;     // e.g. "gcc 12.2.0"
  bool native = false;      // built with -march=native (DIFFUSE_NATIVE)
  std::string vector_isa;   // the widest SIMD our own loops were compiled for: "AVX-512", ..., "scalar"
  int vector_bits = 0;      // its width (0 for scalar)
  std::string kernel_isa;   // the copy of the vectorizable kernels running now (tensor/cpu/isa.h): "AVX-512", ...
  std::string blas_config;  // openblas_get_config(), trailing spaces trimmed
  std::string blas_core;    // openblas_get_corename(): the kernels OpenBLAS chose for this CPU
  int threads = 0;          // get_num_threads() now
  int cpus = 1;             // the CPUs this process may run on: no more threads than these work at once
  bool cuda_built = false;  // this build contains the CUDA backend
};
BuildFacts build_facts();

// Version, compiler, -march=native or portable, the vector width our loops
// were compiled for and the copy of the vectorizable kernels chosen at run
// time, OpenBLAS's core and config, the thread count now, CUDA or not, in one line.
std::string build_info();

}  // namespace tensor
