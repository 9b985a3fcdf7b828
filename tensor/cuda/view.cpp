// From Tensors to the plain views CUDA kernels take.
#include "tensor/cuda/view.h"

#include <vector>

namespace tensor::cuda {

StridedView make_view(void* data, const Shape& dim_sizes, const Shape& dim_strides, const char* op) {
  std::vector<int64_t> sizes, strides;  // outermost first, as in tensor/cpu/strided_loop.h
  for (size_t d = 0; d < dim_sizes.size(); ++d) {
    const int64_t size = dim_sizes[d], stride = dim_strides[d];
    if (size == 1) continue;
    if (!sizes.empty() && strides.back() == stride * size) {
      sizes.back() *= size;
      strides.back() = stride;
    } else {
      sizes.push_back(size);
      strides.push_back(stride);
    }
  }
  const int ndim = static_cast<int>(sizes.size());
  TENSOR_CHECK(ndim <= kMaxDims, "[{}] the CUDA kernels take at most {} non-mergeable dims; shape {} strides {} has {}",
               op, kMaxDims, shape_str(dim_sizes), shape_str(dim_strides), ndim);
  StridedView v{};
  v.data = data;
  v.ndim = ndim;
  for (int d = 0; d < ndim; ++d) {
    v.sizes[d] = sizes[d];
    v.strides[d] = strides[d];
  }
  return v;
}

StridedView view_of(const Tensor& t, const char* op) { return make_view(t.raw_data(), t.shape(), t.strides(), op); }

ScalarType scalar_type_of(DType dtype) {
  switch (dtype) {
    case DType::Float32:
      return ScalarType::Float32;
    case DType::Float64:
      return ScalarType::Float64;
    case DType::Int64:
      return ScalarType::Int64;
  }
  TENSOR_ASSERT(false);
  return ScalarType::Float32;
}

}  // namespace tensor::cuda
