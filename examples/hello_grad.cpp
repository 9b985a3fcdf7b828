// hello_grad: the README's first program, kept here so it is compiled with
// everything else (a README example that does not build is a bug).
#include <fmt/core.h>

#include "autograd/ops.h"
#include "tensor/format.h"

int main() {
  using autograd::Variable;
  // A leaf that requires a gradient: x = [1, 2, 3].
  Variable x(tensor::from_list({1.0, 2.0, 3.0}), /*requires_grad=*/true);
  // y = sum(x^2 * sigmoid(x)): each op records a node of the graph.
  Variable y = sum(square(x) * sigmoid(x));
  y.backward();  // dy/dx, accumulated into x.grad()
  fmt::print("y = {}\ndy/dx = {}\n", y.data(), x.grad());
}
