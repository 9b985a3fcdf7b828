// build_info(): what this build of the library runs with, in one line.
#pragma once
#include <string>

namespace tensor {

// Library version, compiler, -march=native or portable, the vector width our
// loops were compiled for, OpenBLAS's core and config, the thread count now,
// CUDA or not. bench/compare_torch prints it above its table.
std::string build_info();

}  // namespace tensor
