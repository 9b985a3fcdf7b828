// UNetHead: a second head on a frozen U-Net's last feature map (the
// Extended-Analytic-DPM covariance head), and the kept-features reuse of
// Note [Keeping the last feature map].
#include <gtest/gtest.h>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "nn/nn.h"
#include "tensor/ops.h"

using namespace nn;
namespace t = tensor;

namespace {

UNetConfig small_config() {
  UNetConfig c;
  c.channels = 8;
  c.channel_mult = {1, 2};
  c.tdim = 16;
  c.temb_in = 8;
  c.groups = 4;
  return c;
}

double max_abs_diff(const t::Tensor& a, const t::Tensor& b) { return t::amax(t::abs(a - b)).item(); }

struct Fixture {
  t::Generator gen{3};
  std::shared_ptr<UNet> trunk = std::make_shared<UNet>(small_config(), gen);
  t::Tensor x = t::randn({2, 1, 8, 8}, gen);
  t::Tensor label = t::from_vector(std::vector<double>{5, 700}, {2});
};

}  // namespace

TEST(UNetHead, ForwardIsOutputOfFeatures) {
  Fixture f;
  autograd::NoGradGuard no_grad;
  const t::Tensor whole = f.trunk->forward(Variable(f.x), f.label).data();
  const t::Tensor parts = f.trunk->output(f.trunk->features(Variable(f.x), f.label)).data();
  EXPECT_EQ(max_abs_diff(whole, parts), 0.0);
  EXPECT_EQ(f.trunk->features(Variable(f.x), f.label).shape(), (t::Shape{2, 8, 8, 8}));
}

TEST(UNetHead, OwnsOnlyItsTwoLayersAndStartsAtZero) {
  Fixture f;
  const int64_t trunk_params = f.trunk->parameter_count();
  UNetHead head(f.trunk, UNetHeadConfig{1, 4}, f.gen);
  std::vector<std::string> names;
  for (auto& [name, p] : head.named_parameters()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"norm.weight", "norm.bias", "conv.weight", "conv.bias"}));
  EXPECT_EQ(head.parameter_count(), 2 * 8 + 8 * 9 + 1);
  EXPECT_EQ(f.trunk->parameter_count(), trunk_params);
  const t::Tensor h = head(Variable(f.x), f.label).data();
  EXPECT_EQ(h.shape(), (t::Shape{2, 1, 8, 8}));
  EXPECT_EQ(t::amax(t::abs(h)).item(), 0.0);  // the zero-initialized conv of the reference
}

TEST(UNetHead, TrainingMovesTheHeadNotTheTrunk) {
  Fixture f;
  UNetHead head(f.trunk, UNetHeadConfig{1, 4}, f.gen);
  const t::Tensor before = f.trunk->forward(Variable(f.x), f.label).data().clone();
  const Variable loss = autograd::mean(autograd::square(head(Variable(f.x), f.label) - Variable(t::ones({2, 1, 8, 8}))));
  loss.backward();
  for (auto& [name, p] : head.named_parameters()) {
    if (name == "conv.weight" || name == "conv.bias") {
      EXPECT_GT(t::amax(t::abs(p.grad())).item(), 0.0) << name;
    }
  }
  for (auto& p : f.trunk->parameters()) EXPECT_FALSE(p.grad().defined());  // no graph through the trunk
  EXPECT_EQ(max_abs_diff(f.trunk->forward(Variable(f.x), f.label).data(), before), 0.0);
}

TEST(UNetHead, ReusesTheTrunkPassOnlyForTheSameInput) {
  Fixture f;
  UNetHead head(f.trunk, UNetHeadConfig{1, 4}, f.gen);
  for (auto& p : head.parameters()) {  // a non-trivial head
    t::Tensor value = p.data();
    value.copy_(t::randn(p.shape(), f.gen));
  }
  autograd::NoGradGuard no_grad;
  const t::Tensor fresh = head(Variable(f.x), f.label).data();  // runs the trunk itself
  EXPECT_EQ(head.trunk_passes(), 1);

  f.trunk->forward(Variable(f.x), f.label);  // the eps call of a sampler step
  const t::Tensor reused = head(Variable(f.x), t::from_vector(std::vector<double>{5, 700}, {2})).data();
  EXPECT_EQ(head.trunk_passes(), 1);  // same x, equal labels: no second pass
  EXPECT_EQ(max_abs_diff(fresh, reused), 0.0);

  head(Variable(f.x.clone()), f.label);  // equal values, other storage: recomputed
  EXPECT_EQ(head.trunk_passes(), 2);
  f.trunk->forward(Variable(f.x), f.label);
  head(Variable(f.x), t::from_vector(std::vector<double>{5, 701}, {2}));  // other labels: recomputed
  EXPECT_EQ(head.trunk_passes(), 3);
}

TEST(UNetHead, ConfigRoundTripAndBadJson) {
  const UNetHeadConfig c = UNetHeadConfig::from_json(UNetHeadConfig{3, 2}.to_json());
  EXPECT_EQ(c.out_channels, 3);
  EXPECT_EQ(c.groups, 2);
  EXPECT_THROW(UNetHeadConfig::from_json("{\"model\": \"MLP2D\"}"), t::Error);
  EXPECT_THROW(UNetHeadConfig::from_json("{oops"), t::Error);
}
