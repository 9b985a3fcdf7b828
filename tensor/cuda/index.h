// Launchers of the index kernels (index.cu), called by index.cpp (plain C++). Tensors are
// (outer, dim, inner) blocks as in tensor/cpu/index.cpp, all contiguous; the
// index is n_idx int64 values, already checked to lie in range.
#pragma once
#include <cstdint>

#include "tensor/cuda/launch.h"

namespace tensor::cuda {

struct IndexGeometry {
  int64_t outer, src_dim, out_dim, n_idx, inner;
};

// out (outer, n_idx, inner) = src (outer, src_dim, inner) rows idx; elements
// of elem_size bytes (4 or 8: a gather copies bits, whatever the dtype).
void launch_index_select(size_t elem_size, void* out, const void* src, const int64_t* idx, const IndexGeometry& g);
// out (outer, out_dim, inner) rows idx += src (outer, n_idx, inner).
void launch_index_add(ScalarType dtype, void* out, const void* src, const int64_t* idx, const IndexGeometry& g);

}  // namespace tensor::cuda
