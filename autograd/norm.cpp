// Differentiable fused GroupNorm (+ SiLU). The forward keeps the (N, G)
// mean and rstd; the backward rule calls the hand-written kernel (derivation
// in tensor/cpu/group_norm.cpp). Checked against the composition of autograd
// ops in tests/nn (values and gradients) and by float64 gradcheck.
#include "autograd/node.h"
#include "autograd/ops.h"

namespace autograd {

namespace t = tensor;

struct GroupNormBackward : Node {
  Tensor x, mean, rstd, weight, bias;
  int64_t groups = 1;
  bool silu = false;
  const char* name() const override { return silu ? "group_norm_silu" : "group_norm"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    t::GroupNormGrads grads = t::group_norm_backward(g, x, mean, rstd, weight, bias, groups, silu);
    std::vector<Tensor> out{grads.x};
    if (weight.defined()) out.push_back(grads.weight);
    if (bias.defined()) out.push_back(grads.bias);
    return out;
  }
};

Variable group_norm(const Variable& x, int64_t groups, const Variable& weight, const Variable& bias, double eps,
                    bool silu) {
  const Tensor w = weight.defined() ? weight.data() : Tensor();
  const Tensor b = bias.defined() ? bias.data() : Tensor();
  t::GroupNormOutput r = t::group_norm(x.data(), groups, w, b, eps, silu);
  std::vector<Variable> inputs{x};
  if (weight.defined()) inputs.push_back(weight);
  if (bias.defined()) inputs.push_back(bias);
  if (!needs_grad(inputs)) return Variable(r.out);
  auto node = std::make_shared<GroupNormBackward>();
  node->x = x.data().contiguous();
  node->mean = r.mean;
  node->rstd = r.rstd;
  node->weight = w;
  node->bias = b;
  node->groups = groups;
  node->silu = silu;
  return record(r.out, node, inputs);
}

}  // namespace autograd
