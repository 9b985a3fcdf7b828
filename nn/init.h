// Parameter initialization, seeded by a tensor::Generator so a model built
// twice with the same seed has the same weights. The defaults are PyTorch's:
// Linear and Conv2d use kaiming_uniform(a = sqrt(5)) for the weight, which
// works out to U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the same bound for the bias.
#pragma once
#include "tensor/random.h"
#include "tensor/tensor.h"

namespace nn::init {

// Uniform on [-bound, bound), float32.
tensor::Tensor uniform(const tensor::Shape& shape, double bound, tensor::Generator& gen);
// PyTorch's default for Linear/Conv2d weights and biases: bound = 1 / sqrt(fan_in).
tensor::Tensor default_uniform(const tensor::Shape& shape, int64_t fan_in, tensor::Generator& gen);

}  // namespace nn::init
