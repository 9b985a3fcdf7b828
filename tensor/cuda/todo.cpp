// Stubs for the CUDA kernels not written yet: each throws "[op] has no CUDA
// kernel yet" (as MLX's no-GPU stubs do), so a CUDA build links and an op
// without its kernel fails with its name. Whoever writes a kernel deletes
// its stub here.
#include "tensor/cuda/kernels.h"

namespace tensor::cuda {
namespace {
[[maybe_unused, noreturn]] void missing(const char* op) { throw Error(fmt::format("[{}] has no CUDA kernel yet", op)); }
}  // namespace

// (None at present: every kernel of kernels.h has its CUDA version.)

}  // namespace tensor::cuda
