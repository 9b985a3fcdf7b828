// The pointwise activations as layers (for Sequential), and Identity. Each
// forwards to the differentiable op of the same name in autograd/ops.h.
#pragma once
#include "autograd/ops.h"
#include "nn/module.h"

namespace nn {

class SiLU : public Layer {
 public:
  Variable forward(const Variable& x) override { return autograd::silu(x); }
};

class ReLU : public Layer {
 public:
  Variable forward(const Variable& x) override { return autograd::relu(x); }
};

// The exact GELU, x * Phi(x) (PyTorch's default, approximate='none').
class GELU : public Layer {
 public:
  Variable forward(const Variable& x) override { return autograd::gelu(x); }
};

// Returns its input: a placeholder where a block needs no layer (ResBlock's
// skip when the channel count does not change).
class Identity : public Layer {
 public:
  Variable forward(const Variable& x) override { return x; }
};

}  // namespace nn
