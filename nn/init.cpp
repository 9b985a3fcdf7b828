// Parameter initialization (see init.h).
#include "nn/init.h"

#include <cmath>

#include "tensor/ops.h"

namespace nn::init {

tensor::Tensor uniform(const tensor::Shape& shape, double bound, tensor::Generator& gen) {
  // rand is U[0, 1); 2b u - b is U[-b, b).
  return tensor::add(tensor::mul(tensor::rand(shape, gen), 2.0 * bound), -bound);
}

tensor::Tensor default_uniform(const tensor::Shape& shape, int64_t fan_in, tensor::Generator& gen) {
  TENSOR_CHECK(fan_in > 0, "[init] fan_in must be positive, got {} for shape {}", fan_in, tensor::shape_str(shape));
  return uniform(shape, 1.0 / std::sqrt(static_cast<double>(fan_in)), gen);
}

}  // namespace nn::init
