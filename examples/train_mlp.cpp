// train_mlp: the smallest end-to-end use of the library. A two-hidden-layer
// MLP, written with tensors and autograd ops only (no nn/ modules), learns
// y = sin(3x) from 256 points by plain gradient descent, printing the loss.
// Shapes: N points, H hidden units.
#include <cmath>
#include <cstdio>

#include "autograd/ops.h"
#include "tensor/random.h"

using autograd::Variable;
namespace t = tensor;

int main(int argc, char** argv) {
  const int steps = argc > 1 ? std::atoi(argv[1]) : 2000;
  const int64_t N = 256, H = 64;
  const double lr = 0.05;
  t::Generator gen(0);

  // The data set: x in [-1, 1], y = sin(3x).
  t::Tensor x = t::linspace(-1, 1, N).reshape({N, 1});
  t::Tensor y = t::sin(x * 3.0);

  // Parameters: leaves that require gradients, initialized like PyTorch's Linear (uniform in +-1/sqrt(fan_in)).
  auto init = [&](t::Shape shape, int64_t fan_in) {
    return Variable(t::rand(shape, gen) * (2.0 / std::sqrt(double(fan_in))) - 1.0 / std::sqrt(double(fan_in)), true);
  };
  std::vector<Variable> params = {init({1, H}, 1), init({H}, 1), init({H, H}, H), init({H}, H), init({H, 1}, H),
                                  init({1}, H)};
  const Variable &w1 = params[0], &b1 = params[1], &w2 = params[2], &b2 = params[3], &w3 = params[4], &b3 = params[5];

  for (int step = 0; step <= steps; ++step) {
    Variable h = tanh(matmul(Variable(x), w1) + b1);   // (N, H)
    h = tanh(matmul(h, w2) + b2);                      // (N, H)
    Variable pred = matmul(h, w3) + b3;                // (N, 1)
    Variable loss = mean(square(pred - Variable(y)));  // mean squared error
    for (const Variable& p : params) p.zero_grad();
    loss.backward();
    {
      autograd::NoGradGuard no_grad;  // the update itself is not part of the graph
      for (const Variable& p : params) t::add_scaled_(p.mutable_data(), p.grad(), -lr);
    }
    if (step % 200 == 0) std::printf("step %5d  loss %.6f\n", step, loss.item());
  }
  return 0;
}
