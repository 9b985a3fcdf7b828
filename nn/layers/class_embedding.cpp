// ClassEmbedding (see class_embedding.h).
#include "nn/layers/class_embedding.h"

#include "autograd/ops.h"
#include "tensor/ops.h"

namespace nn {

ClassEmbedding::ClassEmbedding(int64_t classes, int64_t dim, tensor::Generator& gen) : classes_(classes) {
  TENSOR_CHECK(classes >= 1 && dim >= 1, "[ClassEmbedding] needs classes >= 1 and dim >= 1, got {} and {}", classes,
               dim);
  weight = register_parameter("weight", tensor::randn({classes + 1, dim}, gen));
}

Variable ClassEmbedding::forward(const Tensor& classes) {
  TENSOR_CHECK(classes.defined() && classes.dtype() == DType::Int64 && classes.dim() == 1,
               "[ClassEmbedding] classes must be Int64 (N,), got {}",
               classes.defined() ? tensor::shape_str(classes.shape()) : "an undefined tensor");
  for (int64_t c : classes.to(tensor::Device::CPU).to_vector<int64_t>())
    TENSOR_CHECK(c >= 0 && c <= classes_, "[ClassEmbedding] class {} is not in 0..{} ({} is the null class)", c,
                 classes_, classes_);
  return autograd::index_select(weight, 0, classes);
}

}  // namespace nn
