// Float64 finite-difference checks of every layer's gradients, with respect
// to its inputs and to each of its parameters: Linear, Conv2d, GroupNorm,
// LayerNorm, SpatialAttention (1 and 2 heads), ResBlock, and a small UNet.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "autograd/gradcheck.h"
#include "autograd/ops.h"
#include "nn/nn.h"

using namespace nn;
namespace t = tensor;
namespace ag = autograd;

namespace {

// Checks dL/dv for every input and every parameter v of `module`, where
// L = sum(u * f(inputs)) for a fixed random u, against central differences
// (L(v + h) - L(v - h)) / 2h, h = 1e-6; passes when
// |analytic - numeric| <= 1e-7 + 1e-5 |numeric|. Parameters are perturbed in
// place (the module's Variables share their data). Returns "" or the first failure.
// At most max_checked elements of each tensor are perturbed (evenly spaced).
std::string layer_gradcheck(Module& module, const std::function<Variable(const std::vector<Variable>&)>& f,
                            const std::vector<Tensor>& inputs, int64_t max_checked = 1 << 30, uint64_t seed = 0) {
  module.to(DType::Float64);
  module.zero_grad();
  t::Generator gen(seed);
  std::vector<Variable> vars;
  for (const Tensor& x : inputs) vars.emplace_back(x, /*requires_grad=*/true);
  Variable y = f(vars);
  const Tensor u = t::randn(y.shape(), gen, DType::Float64);
  ag::sum(ag::mul(y, Variable(u))).backward();

  auto loss = [&] {
    ag::NoGradGuard no_grad;
    std::vector<Variable> plain;
    for (const Tensor& x : inputs) plain.emplace_back(x);
    return t::sum(t::mul(f(plain).data(), u)).item();
  };
  auto check_tensor = [&](const std::string& what, const Tensor& value, const Tensor& analytic) -> std::string {
    if (!analytic.defined()) return what + " got no gradient";
    const std::vector<double> a = analytic.contiguous().to_vector<double>();
    double* p = value.data<double>();
    const double h = 1e-6;
    const int64_t step = std::max<int64_t>(1, value.numel() / max_checked);
    for (int64_t i = 0; i < value.numel(); i += step) {
      const double orig = p[i];
      p[i] = orig + h;
      const double plus = loss();
      p[i] = orig - h;
      const double minus = loss();
      p[i] = orig;
      const double numeric = (plus - minus) / (2 * h);
      if (!(std::abs(a[i] - numeric) <= 1e-7 + 1e-5 * std::abs(numeric)))
        return fmt::format("{} element {}: analytic {}, numeric {}", what, i, a[i], numeric);
    }
    return "";
  };
  for (size_t k = 0; k < inputs.size(); ++k) {
    const std::string err = check_tensor("input " + std::to_string(k), inputs[k], vars[k].grad());
    if (!err.empty()) return err;
  }
  for (const auto& [name, p] : module.named_parameters()) {
    const std::string err = check_tensor("parameter " + name, p.data(), p.grad());
    if (!err.empty()) return err;
  }
  return "";
}

void check_layer(Module& module, const std::function<Variable(const std::vector<Variable>&)>& f,
                 const std::vector<Tensor>& inputs, int64_t max_checked = 1 << 30) {
  // Tiny tensors: one thread avoids paying for thread start-up on each of the
  // thousands of evaluations.
  const int threads = t::get_num_threads();
  t::set_num_threads(1);
  EXPECT_EQ(layer_gradcheck(module, f, inputs, max_checked), "");
  t::set_num_threads(threads);
}

Tensor randn64(const t::Shape& shape, uint64_t seed) {
  t::Generator gen(seed);
  return t::randn(shape, gen, DType::Float64);
}

// Layers whose parameters are the identity at init (norms) get random ones,
// so the check covers a general affine transform.
void randomize_parameters(Module& m, uint64_t seed) {
  t::Generator gen(seed);
  for (const auto& [name, p] : m.named_parameters()) p.mutable_data().copy_(t::randn(p.shape(), gen, p.dtype()));
}

}  // namespace

TEST(LayerGradcheck, Linear) {
  t::Generator gen(0);
  Linear lin(3, 4, gen);
  check_layer(lin, [&](const std::vector<Variable>& v) { return lin(v[0]); }, {randn64({5, 3}, 1)});
  // Leading batch dims fold into one GEMM; the gradient must unfold them.
  check_layer(lin, [&](const std::vector<Variable>& v) { return lin(v[0]); }, {randn64({2, 2, 3}, 2)});
}

TEST(LayerGradcheck, Conv2dStridePadding) {
  t::Generator gen(0);
  Conv2d conv(2, 3, 3, gen, /*stride=*/2, /*padding=*/1);
  check_layer(conv, [&](const std::vector<Variable>& v) { return conv(v[0]); }, {randn64({2, 2, 5, 5}, 1)});
  Conv2d pointwise(3, 2, 1, gen);
  check_layer(pointwise, [&](const std::vector<Variable>& v) { return pointwise(v[0]); }, {randn64({1, 3, 3, 4}, 2)});
}

TEST(LayerGradcheck, GroupNorm) {
  GroupNorm gn(2, 4);
  randomize_parameters(gn, 3);
  check_layer(gn, [&](const std::vector<Variable>& v) { return gn(v[0]); }, {randn64({2, 4, 3, 3}, 1)});
}

TEST(LayerGradcheck, LayerNorm) {
  LayerNorm ln({3, 4});
  randomize_parameters(ln, 3);
  check_layer(ln, [&](const std::vector<Variable>& v) { return ln(v[0]); }, {randn64({2, 3, 4}, 1)});
}

TEST(LayerGradcheck, SpatialAttentionOneAndTwoHeads) {
  for (int64_t heads : {1, 2}) {
    t::Generator gen(heads);
    SpatialAttention attn(4, gen, /*groups=*/2, heads);
    check_layer(attn, [&](const std::vector<Variable>& v) { return attn(v[0]); }, {randn64({2, 4, 2, 3}, 1)});
  }
}

TEST(LayerGradcheck, TimestepConditionedResBlock) {
  t::Generator gen(0);
  ResBlock block(4, 6, 5, gen, /*groups=*/2);
  check_layer(block, [&](const std::vector<Variable>& v) { return block.forward(v[0], v[1]); },
              {randn64({2, 4, 3, 3}, 1), randn64({2, 5}, 2)});
}

TEST(LayerGradcheck, SmallUNetEndToEnd) {
  t::Generator gen(0);
  UNetConfig c;
  c.channels = 4;
  c.channel_mult = {1, 2};
  c.tdim = 8;
  c.temb_in = 8;
  c.groups = 2;
  c.attention_levels = {0};
  UNet unet(c, gen);
  const Tensor steps = t::from_list({3, 250.5});
  // About 12 evenly spaced elements of the input and of each parameter tensor.
  check_layer(unet, [&](const std::vector<Variable>& v) { return unet(v[0], steps); }, {randn64({2, 1, 4, 4}, 1)}, 12);
}

TEST(LayerGradcheck, CatchesAWrongGradient) {
  // The checker must fail on a wrong rule: x + detach(x) has value 2x but
  // gradient 1, so the analytic gradient is half the numerical one.
  t::Generator gen(0);
  Linear lin(2, 2, gen);
  const std::string err = layer_gradcheck(
      lin, [&](const std::vector<Variable>& v) { return lin(ag::add(v[0], v[0].detach())); }, {randn64({1, 2}, 1)});
  EXPECT_NE(err.find("input 0"), std::string::npos) << err;
}
