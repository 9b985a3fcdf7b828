// Node: one recorded op in the graph. It keeps what its backward rule needs
// (saved tensors, sizes) and the Variables it read (its inputs, the graph's
// edges). Each differentiable op defines a Node subclass beside its wrapper,
// in the file of its op family (elementwise.cpp, reduce.cpp, ...).
//
// record() is how a wrapper attaches a node to its output. The pattern:
//
//   Variable mul(const Variable& a, const Variable& b) {
//     Tensor out = tensor::mul(a.data(), b.data());      // forward, no graph
//     if (!needs_grad({a, b})) return Variable(out);      // nothing to record
//     auto node = std::make_shared<MulBackward>();         // save what backward needs
//     node->a = a.data(); node->b = b.data();
//     return record(out, node, {a, b});
//   }
#pragma once
#include <initializer_list>
#include <memory>
#include <vector>

#include "autograd/grad_mode.h"
#include "autograd/variable.h"

namespace autograd {

struct Node {
  // Frees the nodes only this one keeps alive one at a time, from a list,
  // not recursively (Note [Releasing long graphs] in variable.cpp).
  virtual ~Node();
  // The op's name, for error messages and graph printing.
  virtual const char* name() const = 0;
  // Given dL/d(output), returns dL/d(input i) for each input, in order, each
  // of that input's shape; an undefined Tensor where no gradient is needed.
  virtual std::vector<Tensor> backward(const Tensor& grad_output) = 0;
  // True when input i wants a gradient (so backward may skip the others).
  bool needs_input_grad(size_t i) const { return inputs[i].requires_grad(); }

  std::vector<Variable> inputs;
};

// True when grad mode is on and some input requires a gradient.
bool needs_grad(std::initializer_list<Variable> inputs);
bool needs_grad(const std::vector<Variable>& inputs);

// A new Variable with value `out`, made by `node` from `inputs`.
Variable record(Tensor out, std::shared_ptr<Node> node, std::vector<Variable> inputs);

}  // namespace autograd
