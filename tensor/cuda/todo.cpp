// Stubs for the CUDA kernels not written yet: each throws "[op] has no CUDA
// kernel yet" (as MLX's no-GPU stubs do), so a CUDA build links and an op
// without its kernel fails with its name. Whoever writes a kernel deletes
// its stub here.
#include "tensor/cuda/kernels.h"

namespace tensor::cuda {
namespace {
[[noreturn]] void missing(const char* op) { throw Error(fmt::format("[{}] has no CUDA kernel yet", op)); }
}  // namespace

// ---- gemm, conv, index, group_norm ----
void matmul(const Tensor&, const Tensor&, const Tensor&) { missing("matmul"); }
void conv2d_forward(const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Conv2dParams&) {
  missing("conv2d_forward");
}
void conv2d_backward_input(const Tensor&, const Tensor&, const Tensor&, const Conv2dParams&) {
  missing("conv2d_backward_input");
}
void conv2d_backward_weight(const Tensor&, const Tensor&, const Tensor&, const Conv2dParams&) {
  missing("conv2d_backward_weight");
}
void index_select(const Tensor&, const Tensor&, int64_t, const Tensor&) { missing("index_select"); }
void index_add(const Tensor&, int64_t, const Tensor&, const Tensor&) { missing("index_add"); }
void group_norm_forward(const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&,
                        int64_t, double, bool) {
  missing("group_norm_forward");
}
void group_norm_backward(const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&,
                         const Tensor&, const Tensor&, const Tensor&, int64_t, bool) {
  missing("group_norm_backward");
}

}  // namespace tensor::cuda
