// What the CUDA kernels (.cu files) see of the library: plain data and plain
// C++, no Tensor and no fmt (nvcc need not compile either). A host .cpp of a
// kernel family turns Tensors into StridedViews (tensor/cuda/view.h) and
// calls that family's launch_* functions, which its .cu file defines.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

namespace tensor::cuda {

constexpr int kMaxDims = 8;

// An operand as a kernel sees it: the first element, and sizes and strides
// (in elements) with size-1 dims dropped and adjacent dims merged where
// memory allows (stride[d-1] == stride[d] * size[d], the rule of the CPU's
// strided loop), so a contiguous tensor is one dim. Passed to kernels by value.
struct StridedView {
  void* data;
  int ndim;
  int64_t sizes[kMaxDims];
  int64_t strides[kMaxDims];
};

#ifdef __CUDACC__
#define DIFFUSE_HOST_DEVICE __host__ __device__
#else
#define DIFFUSE_HOST_DEVICE
#endif

// Element offset of the row-major linear index i over v's (merged) dims.
// The outermost dim needs no modulo (i is in range); a contiguous operand
// has one dim, so this is one multiply. Host and device code, so a CPU test
// checks it against the tensor's own strides (tests/tensor/cuda_view_test.cpp).
DIFFUSE_HOST_DEVICE inline int64_t offset_of(const StridedView& v, int64_t i) {
  int64_t offset = 0;
  for (int d = kMaxDims - 1; d > 0; --d) {  // constant bounds: the compiler unrolls it
    if (d < v.ndim) {
      offset += (i % v.sizes[d]) * v.strides[d];
      i /= v.sizes[d];
    }
  }
  return v.ndim > 0 ? offset + i * v.strides[0] : 0;
}

enum class ScalarType : int { Float32, Float64, Int64 };

// Throws tensor::Error "[op] CUDA error: what" (defined in runtime.cpp).
[[noreturn]] void throw_cuda_error(const char* op, int code, const char* what);

// The one stream every kernel and copy runs on. Not the legacy default
// stream, so that a sequence of kernels can be captured into a CUDA graph.
cudaStream_t stream();

// The kernels' launch shape: 256 threads a block, enough blocks for n
// elements, each thread looping with a grid stride beyond the grid's limit.
constexpr int kBlockSize = 256;
inline unsigned int blocks_for(int64_t n) {
  const int64_t blocks = (n + kBlockSize - 1) / kBlockSize;
  return static_cast<unsigned int>(blocks < 65535 * 16 ? (blocks > 0 ? blocks : 1) : 65535 * 16);
}

}  // namespace tensor::cuda

// DIFFUSE_CUDA_CHECK(cudaMemcpyAsync(...), "copy_"): throws tensor::Error
// naming op and CUDA's message when the call fails.
#define DIFFUSE_CUDA_CHECK(expr, op)                                                 \
  do {                                                                               \
    const cudaError_t diffuse_cuda_status_ = (expr);                                 \
    if (diffuse_cuda_status_ != cudaSuccess)                                         \
      ::tensor::cuda::throw_cuda_error((op), static_cast<int>(diffuse_cuda_status_), \
                                       cudaGetErrorString(diffuse_cuda_status_));    \
  } while (0)

// After a kernel launch: a bad launch configuration shows up here.
#define DIFFUSE_CUDA_CHECK_LAUNCH(op) DIFFUSE_CUDA_CHECK(cudaGetLastError(), op)
