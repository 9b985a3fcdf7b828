// CUDA index_select and index_add: unpacks the tensors for index.cu. The
// front-end (tensor/indexing.cpp) checked the indices and made src and the
// index contiguous; out is contiguous.
#include "tensor/cuda/index.h"

#include "tensor/cuda/kernels.h"
#include "tensor/cuda/view.h"

namespace tensor::cuda {
namespace {

// t as (outer, t.shape()[dim], inner) blocks.
IndexGeometry blocks_of(const Tensor& t, int64_t dim) {
  const Shape& shape = t.shape();
  IndexGeometry g{};
  g.outer = numel_of(Shape(shape.begin(), shape.begin() + dim));
  g.inner = numel_of(Shape(shape.begin() + dim + 1, shape.end()));
  return g;
}

}  // namespace

void index_select(const Tensor& out, const Tensor& src, int64_t dim, const Tensor& index) {
  IndexGeometry g = blocks_of(src, dim);
  g.src_dim = src.shape()[dim];
  g.out_dim = g.n_idx = index.numel();
  launch_index_select(dtype_size(src.dtype()), out.raw_data(), src.raw_data(),
                      static_cast<const int64_t*>(index.raw_data()), g);
}

void index_add(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src) {
  IndexGeometry g = blocks_of(out, dim);
  g.out_dim = out.shape()[dim];
  g.src_dim = g.n_idx = index.numel();
  launch_index_add(scalar_type_of(src.dtype()), out.raw_data(), src.raw_data(),
                   static_cast<const int64_t*>(index.raw_data()), g);
}

}  // namespace tensor::cuda
