// Host side of the CUDA kernels: from a Tensor to the plain StridedView and
// ScalarType a kernel takes (tensor/cuda/launch.h). Not for .cu files.
#pragma once
#include "tensor/cuda/launch.h"
#include "tensor/tensor.h"

namespace tensor::cuda {

// t's layout with size-1 dims dropped and mergeable dims merged; throws when
// more than kMaxDims dims remain. op names the caller in that error.
StridedView view_of(const Tensor& t, const char* op);
// The same for given sizes and strides (in elements) from data, e.g. some of a tensor's dims.
StridedView make_view(void* data, const Shape& sizes, const Shape& strides, const char* op);
ScalarType scalar_type_of(DType dtype);

}  // namespace tensor::cuda
