// Differentiable conv2d and nearest upsampling. The conv2d rule calls the
// two backward kernels (input and weight); the bias gradient is the sum of
// g over batch and space.
#include "autograd/node.h"
#include "autograd/ops.h"

namespace autograd {

namespace t = tensor;

struct Conv2dBackward : Node {
  Tensor x, w;
  int64_t stride = 1, padding = 0;
  const char* name() const override { return "conv2d"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    std::vector<Tensor> grads(inputs.size());
    if (needs_input_grad(0)) grads[0] = t::conv2d_backward_input(g, w, x.shape(), stride, padding);
    if (needs_input_grad(1)) grads[1] = t::conv2d_backward_weight(g, x, w.shape(), stride, padding);
    if (inputs.size() == 3 && needs_input_grad(2)) grads[2] = t::sum(g, {0, 2, 3});
    return grads;
  }
};

Variable conv2d(const Variable& x, const Variable& w, const Variable& bias, int64_t stride, int64_t padding) {
  Tensor out = t::conv2d(x.data(), w.data(), bias.defined() ? bias.data() : Tensor(), stride, padding);
  std::vector<Variable> inputs{x, w};
  if (bias.defined()) inputs.push_back(bias);
  if (!needs_grad(inputs)) return Variable(out);
  auto node = std::make_shared<Conv2dBackward>();
  node->x = x.data();
  node->w = w.data();
  node->stride = stride;
  node->padding = padding;
  return record(out, node, inputs);
}

struct UpsampleNearestBackward : Node {
  int64_t scale = 1;
  const char* name() const override { return "upsample_nearest2d"; }
  std::vector<Tensor> backward(const Tensor& g) override { return {t::upsample_nearest2d_backward(g, scale)}; }
};

Variable upsample_nearest2d(const Variable& x, int64_t scale) {
  Tensor out = t::upsample_nearest2d(x.data(), scale);
  if (!needs_grad({x})) return Variable(out);
  auto node = std::make_shared<UpsampleNearestBackward>();
  node->scale = scale;
  return record(out, node, {x});
}

}  // namespace autograd
