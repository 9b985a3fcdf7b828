// CUDA copy and fill kernels: one thread per element, any strides, a dtype
// cast in the middle (the CPU's tensor/cpu/copy.cpp, element for element).
#include "tensor/cuda/copy.h"
#include "tensor/cuda/scalar_type.cuh"
#include "tensor/cuda/strided.cuh"

namespace tensor::cuda {
namespace {

template <typename O, typename S>
__global__ void copy_kernel(StridedView out, StridedView src, int64_t n) {
  GRID_STRIDE_LOOP(i, n) { element<O>(out, i) = static_cast<O>(element<const S>(src, i)); }
}

template <typename T>
__global__ void fill_kernel(StridedView out, T value, int64_t n) {
  GRID_STRIDE_LOOP(i, n) { element<T>(out, i) = value; }
}

}  // namespace

void launch_copy(const StridedView& out, ScalarType out_type, const StridedView& src, ScalarType src_type, int64_t n) {
  with_scalar_type(out_type, [&](auto out_tag) {
    using O = typename decltype(out_tag)::type;
    with_scalar_type(src_type, [&](auto src_tag) {
      using S = typename decltype(src_tag)::type;
      copy_kernel<O, S><<<blocks_for(n), kBlockSize, 0, stream()>>>(out, src, n);
    });
  });
  DIFFUSE_CUDA_CHECK_LAUNCH("copy");
}

void launch_fill(const StridedView& out, ScalarType type, double value, int64_t n) {
  with_scalar_type(type, [&](auto tag) {
    using T = typename decltype(tag)::type;
    fill_kernel<T><<<blocks_for(n), kBlockSize, 0, stream()>>>(out, static_cast<T>(value), n);
  });
  DIFFUSE_CUDA_CHECK_LAUNCH("fill");
}

}  // namespace tensor::cuda
