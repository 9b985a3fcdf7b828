// Function-level entry points built on the engine.
#pragma once
#include <functional>
#include <utility>

#include "autograd/variable.h"

namespace autograd {

// The vector-Jacobian product of f at x with v: returns (f(x), v^T df/dx),
// where v has f(x)'s shape. Runs with grad mode on (also inside no_grad) and
// leaves x untouched. One vjp costs about one forward and one backward pass;
// the probability-flow likelihood uses it for the divergence (Hutchinson).
std::pair<Tensor, Tensor> vjp(const std::function<Variable(const Variable&)>& f, const Tensor& x, const Tensor& v);

}  // namespace autograd
