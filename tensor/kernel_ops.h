// The small enums and parameter structs that front-ends pass to kernels.
// One list per kernel family; a backend switches on these.
#pragma once
#include <cstdint>

namespace tensor {

enum class UnaryOp {
  Neg,
  Exp,
  Log,
  Sqrt,
  Rsqrt,
  Sin,
  Cos,
  Tanh,
  Sigmoid,
  Silu,
  Relu,
  Gelu,
  Abs,
  Sign,
  Square,
  Reciprocal,
  Erf,
  Floor,
  PowScalar,  // x^p0
  Clamp,      // min(max(x, p0), p1)
  AddScalar,  // x + p0
  MulScalar,  // x * p0
  GeluGrad,   // d gelu / dx, for the backward rule
};

enum class BinaryOp {
  Add,
  Sub,
  Mul,
  Div,
  Pow,
  Maximum,
  Minimum,
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
  SiluBackward,  // (g, x) -> g * d silu / dx at x, the backward rule in one pass
};

enum class ReduceOp { Sum, Max, Min };

enum class RandomKind { Normal, Uniform };

// One Adam/AdamW step (tensor/optim.cpp): the hyperparameters, the step count
// k >= 1 for the bias corrections, and which weight decay (decoupled: AdamW's).
struct AdamStepParams {
  double lr, beta1, beta2, eps, weight_decay;
  int64_t step;
  bool decoupled;
};

struct Conv2dParams {
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_h = 0, pad_w = 0;
};

}  // namespace tensor
