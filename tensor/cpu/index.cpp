// CPU index_select and index_add along one dim. Tensors are viewed as
// (outer, dim, inner) blocks; src/out are contiguous (the front-end ensures it).
#include <cstring>

#include "tensor/cpu/kernels.h"
#include "tensor/cpu/parallel.h"

namespace tensor::cpu {
namespace {
void split(const Tensor& t, int64_t dim, int64_t& outer, int64_t& inner) {
  outer = inner = 1;
  for (int64_t d = 0; d < dim; ++d) outer *= t.shape()[d];
  for (int64_t d = dim + 1; d < t.dim(); ++d) inner *= t.shape()[d];
}
}  // namespace

void index_select(const Tensor& out, const Tensor& src, int64_t dim, const Tensor& index) {
  int64_t outer, inner;
  split(src, dim, outer, inner);
  const int64_t src_dim = src.shape()[dim], n_idx = index.numel();
  const int64_t* idx = index.data<int64_t>();
  dispatch_all(src.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* s = src.data<T>();
    T* o = out.data<T>();
    parallel_for(0, outer * n_idx, std::max<int64_t>(1, kDefaultGrain / std::max<int64_t>(inner, 1)),
                 [&](int64_t lo, int64_t hi) {
                   for (int64_t r = lo; r < hi; ++r) {
                     const int64_t b = r / n_idx, i = r % n_idx;
                     std::memcpy(o + r * inner, s + (b * src_dim + idx[i]) * inner, sizeof(T) * inner);
                   }
                 });
  });
}

void index_add(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src) {
  int64_t outer, inner;
  split(out, dim, outer, inner);
  const int64_t out_dim = out.shape()[dim], n_idx = index.numel();
  const int64_t* idx = index.data<int64_t>();
  dispatch_float(src.dtype(), "index_add", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* s = src.data<T>();
    T* o = out.data<T>();
    // Repeated indices add into the same row, so rows are visited in order
    // within each outer block; outer blocks are independent and run in parallel.
    parallel_for(0, outer, 1, [&](int64_t lo, int64_t hi) {
      for (int64_t b = lo; b < hi; ++b)
        for (int64_t i = 0; i < n_idx; ++i) {
          T* dst = o + (b * out_dim + idx[i]) * inner;
          const T* from = s + (b * n_idx + i) * inner;
          for (int64_t k = 0; k < inner; ++k) dst[k] += from[k];
        }
    });
  });
}

}  // namespace tensor::cpu
