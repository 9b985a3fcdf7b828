// Linear: y = x W^T + b, over the last dim of x. x (..., in) -> y (..., out);
// weight (out, in) and bias (out), named and initialized as in PyTorch.
#pragma once
#include "nn/module.h"
#include "tensor/random.h"

namespace nn {

class Linear : public Layer {
 public:
  Linear(int64_t in_features, int64_t out_features, tensor::Generator& gen, bool bias = true);
  Variable forward(const Variable& x) override;

  int64_t in_features() const { return in_features_; }
  int64_t out_features() const { return out_features_; }
  Variable weight, bias;  // bias undefined when built without one

 private:
  int64_t in_features_, out_features_;
};

}  // namespace nn
