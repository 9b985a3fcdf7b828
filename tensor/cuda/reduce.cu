// CUDA reductions (sum, max, min over any dims) and softmax over the last
// dim. Note [Deterministic reductions]: no atomics; each output is reduced
// by one thread in index order, or by one block whose threads take fixed
// elements and combine partials in a fixed tree, and which of the two is a
// function of the shape alone. So a result depends on the input only, not
// on timing, as on the CPU (whose order differs, so the last bits may).
// Sums of float32 accumulate in double, as on the CPU (tensor/cpu/reduce.cpp).
#include <cmath>

#include "tensor/cuda/reduce.h"
#include "tensor/cuda/scalar_type.cuh"
#include "tensor/cuda/strided.cuh"

namespace tensor::cuda {
namespace {

template <typename T, typename Acc>
struct SumOp {
  __device__ static Acc init() { return Acc(0); }
  __device__ static Acc combine(Acc a, T x) { return a + static_cast<Acc>(x); }
  __device__ static Acc merge(Acc a, Acc b) { return a + b; }
};
// NaN propagates, as in PyTorch: a NaN anywhere gives NaN (x != x is the NaN test).
template <typename T, typename Acc>
struct MaxOp {
  __device__ static Acc init() { return -static_cast<Acc>(INFINITY); }
  __device__ static Acc combine(Acc a, T x) { return (x > a || x != x) ? x : a; }
  __device__ static Acc merge(Acc a, Acc b) { return combine(a, b); }
};
template <typename T, typename Acc>
struct MinOp {
  __device__ static Acc init() { return static_cast<Acc>(INFINITY); }
  __device__ static Acc combine(Acc a, T x) { return (x < a || x != x) ? x : a; }
  __device__ static Acc merge(Acc a, Acc b) { return combine(a, b); }
};

// Short reductions: one thread per output, elements in index order.
template <typename T, typename Acc, typename Op>
__global__ void reduce_per_thread(T* out, StridedView kept, StridedView red, int64_t n_out, int64_t n_red) {
  const T* in = static_cast<const T*>(kept.data);
  GRID_STRIDE_LOOP(i, n_out) {
    const T* base = in + offset_of(kept, i);
    Acc acc = Op::init();
    for (int64_t j = 0; j < n_red; ++j) acc = Op::combine(acc, base[offset_of(red, j)]);
    out[i] = static_cast<T>(acc);
  }
}

// Long reductions: one block per output. Thread t takes elements t, t +
// kBlockSize, ...; the kBlockSize partials then meet in a fixed tree.
template <typename T, typename Acc, typename Op>
__global__ void reduce_per_block(T* out, StridedView kept, StridedView red, int64_t n_out, int64_t n_red) {
  __shared__ Acc partial[kBlockSize];
  const T* in = static_cast<const T*>(kept.data);
  for (int64_t i = blockIdx.x; i < n_out; i += gridDim.x) {  // the same i for the whole block
    const T* base = in + offset_of(kept, i);
    Acc acc = Op::init();
    for (int64_t j = threadIdx.x; j < n_red; j += kBlockSize) acc = Op::combine(acc, base[offset_of(red, j)]);
    partial[threadIdx.x] = acc;
    __syncthreads();
    for (int half = kBlockSize / 2; half > 0; half /= 2) {
      if (threadIdx.x < half) partial[threadIdx.x] = Op::merge(partial[threadIdx.x], partial[threadIdx.x + half]);
      __syncthreads();
    }
    if (threadIdx.x == 0) out[i] = static_cast<T>(partial[0]);
    __syncthreads();  // everyone has read partial before the next output overwrites it
  }
}

template <typename T, typename Acc, typename Op>
void run_reduce(void* out, const StridedView& kept, const StridedView& red, int64_t n_out, int64_t n_red) {
  T* o = static_cast<T*>(out);
  if (n_red < kBlockSize) {
    reduce_per_thread<T, Acc, Op><<<blocks_for(n_out), kBlockSize, 0, stream()>>>(o, kept, red, n_out, n_red);
  } else {
    const unsigned int blocks = static_cast<unsigned int>(n_out < (1 << 20) ? n_out : (1 << 20));
    reduce_per_block<T, Acc, Op><<<blocks, kBlockSize, 0, stream()>>>(o, kept, red, n_out, n_red);
  }
}

// Block-wide max and sum of one value per thread, by the same fixed tree.
__device__ double block_max(double* partial, double v) {
  partial[threadIdx.x] = v;
  __syncthreads();
  for (int half = kBlockSize / 2; half > 0; half /= 2) {
    if (threadIdx.x < half && partial[threadIdx.x] < partial[threadIdx.x + half])
      partial[threadIdx.x] = partial[threadIdx.x + half];
    __syncthreads();
  }
  const double result = partial[0];
  __syncthreads();  // everyone has read partial[0] before its next use
  return result;
}
__device__ double block_sum(double* partial, double v) {
  partial[threadIdx.x] = v;
  __syncthreads();
  for (int half = kBlockSize / 2; half > 0; half /= 2) {
    if (threadIdx.x < half) partial[threadIdx.x] += partial[threadIdx.x + half];
    __syncthreads();
  }
  const double result = partial[0];
  __syncthreads();
  return result;
}

// One block per row, in the CPU's steps: subtract the row max (so exp never
// overflows), exponentiate, sum in double, then scale (or subtract the log).
template <typename T>
__global__ void softmax_kernel(T* out, const T* in, int64_t rows, int64_t cols, bool log) {
  __shared__ double partial[kBlockSize];
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {  // the same r for the whole block
    const T* x = in + r * cols;
    T* y = out + r * cols;
    T m = -static_cast<T>(INFINITY);
    for (int64_t c = threadIdx.x; c < cols; c += kBlockSize) m = m < x[c] ? x[c] : m;  // std::max(m, x[c])
    m = static_cast<T>(block_max(partial, m));
    double sum = 0;
    for (int64_t c = threadIdx.x; c < cols; c += kBlockSize) {
      y[c] = std::exp(x[c] - m);
      sum += y[c];
    }
    sum = block_sum(partial, sum);
    if (log) {
      const T log_sum = static_cast<T>(std::log(sum));
      for (int64_t c = threadIdx.x; c < cols; c += kBlockSize) y[c] = x[c] - m - log_sum;
    } else {
      const T inv = static_cast<T>(1.0 / sum);
      for (int64_t c = threadIdx.x; c < cols; c += kBlockSize) y[c] *= inv;
    }
  }
}

}  // namespace

void launch_reduce(ReduceOp op, ScalarType type, void* out, const StridedView& kept, const StridedView& red,
                   int64_t n_out, int64_t n_red) {
  with_float_type(type, [&](auto tag) {
    using T = typename decltype(tag)::type;
    switch (op) {
      case ReduceOp::Sum:
        return run_reduce<T, double, SumOp<T, double>>(out, kept, red, n_out, n_red);
      case ReduceOp::Max:
        return run_reduce<T, T, MaxOp<T, T>>(out, kept, red, n_out, n_red);
      case ReduceOp::Min:
        return run_reduce<T, T, MinOp<T, T>>(out, kept, red, n_out, n_red);
    }
  });
  DIFFUSE_CUDA_CHECK_LAUNCH("reduce");
}

void launch_softmax_lastdim(ScalarType type, void* out, const void* in, int64_t rows, int64_t cols, bool log) {
  with_float_type(type, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const unsigned int blocks = static_cast<unsigned int>(rows < (1 << 20) ? rows : (1 << 20));
    softmax_kernel<T>
        <<<blocks, kBlockSize, 0, stream()>>>(static_cast<T*>(out), static_cast<const T*>(in), rows, cols, log);
  });
  DIFFUSE_CUDA_CHECK_LAUNCH("softmax");
}

}  // namespace tensor::cuda
