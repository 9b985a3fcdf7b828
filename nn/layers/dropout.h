// Dropout: in training mode, zeroes each element with probability p and
// scales the rest by 1/(1-p) (so the expectation is unchanged); in eval mode
// it is the identity. Owns its Generator, so a seeded run drops the same units.
#pragma once
#include "nn/module.h"
#include "tensor/random.h"

namespace nn {

class Dropout : public Layer {
 public:
  explicit Dropout(double p, uint64_t seed = 0);
  Variable forward(const Variable& x) override;
  tensor::Generator& generator() { return gen_; }

 private:
  double p_;
  tensor::Generator gen_;
};

}  // namespace nn
