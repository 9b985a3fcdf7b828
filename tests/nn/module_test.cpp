// Module bookkeeping: names, counts, train/eval, zero_grad, state_dict
// round trip and the errors of a bad load.
#include <gtest/gtest.h>

#include "autograd/ops.h"
#include "nn/nn.h"

using namespace nn;
namespace t = tensor;

namespace {
// Expects f() to throw tensor::Error whose message contains `needle`.
template <typename F>
void expect_error(F&& f, const std::string& needle) {
  try {
    f();
    FAIL() << "expected an error containing '" << needle << "'";
  } catch (const t::Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}
}  // namespace

TEST(Module, MLP2DNamesAndCountMatchPyTorch) {
  t::Generator gen(0);
  MLP2D model(MLP2DConfig{}, gen);
  std::vector<std::string> names;
  for (auto& [name, p] : model.named_parameters()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"net.0.weight", "net.0.bias", "net.2.weight", "net.2.bias", "net.4.weight",
                                             "net.4.bias", "net.6.weight", "net.6.bias"}));
  EXPECT_EQ(model.parameter_count(), 141058);  // sum(p.numel()) of the reference MLP2D
  for (auto& p : model.parameters()) EXPECT_TRUE(p.requires_grad());
}

TEST(Module, UNetDefaultCountAndNamesMatchPyTorch) {
  t::Generator gen(0);
  UNet model(UNetConfig{}, gen);
  EXPECT_EQ(model.parameter_count(), 587809);  // the reference UNet()
  auto named = model.named_parameters();
  EXPECT_EQ(named.size(), 90u);  // len(list(UNet().parameters()))
  EXPECT_EQ(named.front().first, "temb.0.weight");
  EXPECT_EQ(named[4].first, "conv_in.weight");
  EXPECT_EQ(named[6].first, "d1.n1.weight");
  EXPECT_EQ(named.back().first, "conv_out.bias");
  auto sd = model.state_dict();
  EXPECT_TRUE(sd.count("mattn.qkv.weight"));
  EXPECT_TRUE(sd.count("d2.skip.weight"));   // 32 -> 64 channels: a 1x1 conv
  EXPECT_FALSE(sd.count("d1.skip.weight"));  // 32 -> 32: Identity, no parameters
  EXPECT_EQ(sd.at("u1.c1.weight").shape(), (t::Shape{32, 96, 3, 3}));
}

TEST(Module, UNetOutputShapeForOtherConfigs) {
  t::Generator gen(1);
  UNetConfig rgb;
  rgb.in_channels = 3;
  rgb.channels = 16;
  rgb.channel_mult = {1, 2, 2, 2};
  rgb.attention_levels = {2};
  rgb.heads = 2;
  UNet model(rgb, gen);
  EXPECT_TRUE(model.state_dict().count("da3.qkv.weight"));
  EXPECT_TRUE(model.state_dict().count("ua3.out.bias"));
  autograd::NoGradGuard no_grad;
  Variable y = model(Variable(t::randn({2, 3, 32, 32}, gen)), t::from_list({3, 0.5}));
  EXPECT_EQ(y.shape(), (t::Shape{2, 3, 32, 32}));
  expect_error([&] { model(Variable(t::randn({2, 3, 28, 28}, gen)), t::from_list({1, 2})); }, "divisible by 8");
  EXPECT_EQ(UNetConfig::from_json(rgb.to_json()).to_json(), rgb.to_json());
}

TEST(Module, SameSeedSameWeights) {
  t::Generator g1(7), g2(7), g3(8);
  MLP2D a(MLP2DConfig{}, g1), b(MLP2DConfig{}, g2), c(MLP2DConfig{}, g3);
  auto w = [](MLP2D& m) { return m.state_dict().at("net.2.weight").to_vector<float>(); };
  EXPECT_EQ(w(a), w(b));
  EXPECT_NE(w(a), w(c));
}

TEST(Module, DefaultInitBounds) {
  t::Generator gen(0);
  Linear lin(100, 50, gen);
  const double bound = 1.0 / std::sqrt(100.0);
  auto w = lin.weight.data().to_vector<float>();
  float lo = *std::min_element(w.begin(), w.end()), hi = *std::max_element(w.begin(), w.end());
  EXPECT_GE(lo, -bound);
  EXPECT_LE(hi, bound);
  EXPECT_LT(lo, -0.9 * bound);  // actually spread over the interval
  EXPECT_GT(hi, 0.9 * bound);
  GroupNorm gn(4, 8);
  EXPECT_EQ(gn.weight.data().to_vector<float>(), std::vector<float>(8, 1.0f));
  EXPECT_EQ(gn.bias.data().to_vector<float>(), std::vector<float>(8, 0.0f));
}

TEST(Module, TrainEvalReachesChildren) {
  t::Generator gen(0);
  Sequential seq({std::make_shared<Linear>(2, 2, gen), std::make_shared<Dropout>(0.5)});
  EXPECT_TRUE(seq[1]->is_training());
  seq.eval();
  EXPECT_FALSE(seq[1]->is_training());
  EXPECT_FALSE(seq.is_training());
  seq.train();
  EXPECT_TRUE(seq[1]->is_training());
}

TEST(Module, ZeroGradDropsGradients) {
  t::Generator gen(0);
  Linear lin(3, 2, gen);
  autograd::sum(lin(Variable(t::ones({4, 3})))).backward();
  EXPECT_TRUE(lin.weight.grad().defined());
  lin.zero_grad();
  EXPECT_FALSE(lin.weight.grad().defined());
  EXPECT_FALSE(lin.bias.grad().defined());
}

TEST(Module, ToDeviceKeepsValuesAndDropsGradients) {
  t::Generator gen(0);
  Linear lin(3, 2, gen);
  const std::vector<float> weight = lin.weight.data().to_vector<float>();
  autograd::sum(lin(Variable(t::ones({4, 3})))).backward();
  ASSERT_TRUE(lin.weight.grad().defined());
  lin.to(t::Device::CPU);
  EXPECT_EQ(lin.weight.device(), t::Device::CPU);
  EXPECT_EQ(lin.weight.data().to_vector<float>(), weight);
  EXPECT_FALSE(lin.weight.grad().defined());  // a gradient of the old tensors is not carried over
  if (t::cuda_built()) GTEST_SKIP() << "CUDA build: moving to the GPU is covered by the CUDA tests";
  expect_error([&] { lin.to(t::Device::CUDA); }, "no CUDA backend");
}

TEST(Module, StateDictRoundTrip) {
  t::Generator g1(1), g2(2);
  MLP2D a(MLP2DConfig{}, g1), b(MLP2DConfig{}, g2);
  StateDict sd;
  for (auto& [name, tensor] : a.state_dict()) sd[name] = tensor.clone();
  b.load_state_dict(sd);
  for (auto& [name, tensor] : b.state_dict()) EXPECT_EQ(tensor.to_vector<float>(), sd.at(name).to_vector<float>());
  // In place: the layer's own handle sees the new values.
  auto lin = std::dynamic_pointer_cast<Linear>((*b.net)[0]);
  ASSERT_TRUE(lin);
  EXPECT_EQ(lin->weight.data().to_vector<float>(), sd.at("net.0.weight").to_vector<float>());
}

TEST(Module, LoadStateDictNamesTheOffendingTensor) {
  t::Generator gen(0);
  MLP2D model(MLP2DConfig{}, gen);
  const auto before = model.state_dict().at("net.0.weight").clone().to_vector<float>();
  StateDict sd;
  for (auto& [name, tensor] : model.state_dict()) sd[name] = t::zeros(tensor.shape());

  StateDict missing = sd;
  missing.erase("net.4.bias");
  expect_error([&] { model.load_state_dict(missing); }, "missing tensor 'net.4.bias'");

  StateDict extra = sd;
  extra["net.9.weight"] = t::zeros({1});
  expect_error([&] { model.load_state_dict(extra); }, "unexpected tensor 'net.9.weight'");

  StateDict wrong_shape = sd;
  wrong_shape["net.2.weight"] = t::zeros({256, 255});
  expect_error([&] { model.load_state_dict(wrong_shape); }, "'net.2.weight' has shape (256, 255)");

  StateDict wrong_dtype = sd;
  wrong_dtype["net.6.bias"] = t::zeros({2}, DType::Float64);
  expect_error([&] { model.load_state_dict(wrong_dtype); }, "'net.6.bias' has dtype float64");

  // A failed load changes nothing.
  EXPECT_EQ(model.state_dict().at("net.0.weight").to_vector<float>(), before);
}

TEST(Module, RegistrationRejectsBadNames) {
  struct Bad : Module {
    void add(const std::string& name) { register_parameter(name, t::zeros({1})); }
  } m;
  m.add("w");
  expect_error([&] { m.add("w"); }, "already registered");
  expect_error([&] { m.add("a.b"); }, "invalid name");
}

TEST(Module, ToFloat64ConvertsEverything) {
  t::Generator gen(0);
  ResBlock block(8, 16, 4, gen);
  block.to(DType::Float64);
  for (auto& [name, p] : block.named_parameters()) EXPECT_EQ(p.dtype(), DType::Float64) << name;
  Variable y = block.forward(Variable(t::randn({1, 8, 4, 4}, gen, DType::Float64)),
                             Variable(t::randn({1, 4}, gen, DType::Float64)));
  EXPECT_EQ(y.dtype(), DType::Float64);
  EXPECT_EQ(y.shape(), (t::Shape{1, 16, 4, 4}));
}
