// CUDA index_select and index_add. index_select is a gather, one thread per
// output element. index_add must add repeated indices into one row, and must
// do so in a fixed order (float addition is not associative); rather than
// atomics, each output element is owned by one thread that adds its
// contributions in index order, the order of the CPU's loop, so the CUDA and
// CPU results are the same floats. Two ways to own them:
// - by column (b, k): the thread walks the whole index once, adding row
//   idx[i] of src into row idx[i] of out; outer * inner threads;
// - by output element (b, row, k): the thread scans the index for `row`;
//   outer * out_dim * inner threads, each reading the whole index.
// The scan has more parallelism but does out_dim times the work; it is used
// when that work is small, the column walk otherwise.
#include "tensor/cuda/index.h"
#include "tensor/cuda/scalar_type.cuh"
#include "tensor/cuda/strided.cuh"

namespace tensor::cuda {
namespace {

constexpr int64_t kScanWorkLimit = int64_t(1) << 26;

template <typename Bits>
__global__ void index_select_kernel(Bits* out, const Bits* src, const int64_t* idx, IndexGeometry g) {
  GRID_STRIDE_LOOP(e, g.outer * g.n_idx * g.inner) {
    const int64_t k = e % g.inner, i = (e / g.inner) % g.n_idx, b = e / (g.inner * g.n_idx);
    out[e] = src[(b * g.src_dim + idx[i]) * g.inner + k];
  }
}

template <typename T>
__global__ void index_add_by_column_kernel(T* out, const T* src, const int64_t* idx, IndexGeometry g) {
  GRID_STRIDE_LOOP(e, g.outer * g.inner) {
    const int64_t k = e % g.inner, b = e / g.inner;
    for (int64_t i = 0; i < g.n_idx; ++i) {
      T* dst = out + (b * g.out_dim + idx[i]) * g.inner + k;
      *dst = *dst + src[(b * g.n_idx + i) * g.inner + k];
    }
  }
}

template <typename T>
__global__ void index_add_by_element_kernel(T* out, const T* src, const int64_t* idx, IndexGeometry g) {
  GRID_STRIDE_LOOP(e, g.outer * g.out_dim * g.inner) {
    const int64_t k = e % g.inner, row = (e / g.inner) % g.out_dim, b = e / (g.inner * g.out_dim);
    T acc = out[e];
    for (int64_t i = 0; i < g.n_idx; ++i)
      if (idx[i] == row) acc = acc + src[(b * g.n_idx + i) * g.inner + k];
    out[e] = acc;
  }
}

}  // namespace

void launch_index_select(size_t elem_size, void* out, const void* src, const int64_t* idx, const IndexGeometry& g) {
  const int64_t total = g.outer * g.n_idx * g.inner;
  if (total == 0) return;
  if (elem_size == 4)
    index_select_kernel<uint32_t><<<blocks_for(total), kBlockSize, 0, stream()>>>(
        static_cast<uint32_t*>(out), static_cast<const uint32_t*>(src), idx, g);
  else
    index_select_kernel<uint64_t><<<blocks_for(total), kBlockSize, 0, stream()>>>(
        static_cast<uint64_t*>(out), static_cast<const uint64_t*>(src), idx, g);
  DIFFUSE_CUDA_CHECK_LAUNCH("index_select");
}

void launch_index_add(ScalarType dtype, void* out, const void* src, const int64_t* idx, const IndexGeometry& g) {
  if (g.outer * g.inner * g.n_idx == 0) return;
  const bool scan = g.outer * g.out_dim * g.inner * g.n_idx <= kScanWorkLimit;
  with_float_type(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if (scan)
      index_add_by_element_kernel<T><<<blocks_for(g.outer * g.out_dim * g.inner), kBlockSize, 0, stream()>>>(
          static_cast<T*>(out), static_cast<const T*>(src), idx, g);
    else
      index_add_by_column_kernel<T><<<blocks_for(g.outer * g.inner), kBlockSize, 0, stream()>>>(
          static_cast<T*>(out), static_cast<const T*>(src), idx, g);
  });
  DIFFUSE_CUDA_CHECK_LAUNCH("index_add");
}

}  // namespace tensor::cuda
