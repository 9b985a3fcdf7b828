// Class-conditional MLP2D and UNet (Note [Class-conditional models] in
// nn/module.h): without classes nothing changes (names, weights, config
// text); with them the class embedding is one extra table that moves the
// output, the null class is forward(x, t), and the gradient reaches the table.
#include <gtest/gtest.h>

#include "../error_util.h"
#include "autograd/grad_mode.h"
#include "autograd/gradcheck.h"
#include "autograd/ops.h"
#include "nn/nn.h"
#include "tensor/ops.h"

using namespace nn;
namespace t = tensor;
using tensor_test::contains;
using tensor_test::error_of;

namespace {

UNetConfig small_unet(int64_t classes) {
  UNetConfig c;
  c.channels = 8;
  c.channel_mult = {1, 2};
  c.tdim = 16;
  c.temb_in = 8;
  c.groups = 4;
  c.num_classes = classes;
  return c;
}

MLP2DConfig small_mlp(int64_t classes) {
  MLP2DConfig c;
  c.width = 16;
  c.temb = 8;
  c.hidden_layers = 2;
  c.num_classes = classes;
  return c;
}

double max_abs_diff(const t::Tensor& a, const t::Tensor& b) { return t::amax(t::abs(a - b)).item(); }

t::Tensor classes_of(std::vector<int64_t> c) { return t::from_vector(c, {static_cast<int64_t>(c.size())}); }

// The conditional model has the unconditional one's parameters, bit for bit
// (class_emb draws last), plus class_emb.weight of (C + 1, dim).
template <typename Model, typename Config>
void expect_same_weights_plus_table(const Config& plain_config, const Config& cond_config, int64_t dim) {
  t::Generator g1(7), g2(7);
  Model plain(plain_config, g1), cond(cond_config, g2);
  const StateDict a = plain.state_dict(), b = cond.state_dict();
  ASSERT_EQ(b.size(), a.size() + 1);
  for (const auto& [name, value] : a) EXPECT_EQ(max_abs_diff(value, b.at(name)), 0.0) << name;
  ASSERT_TRUE(b.count("class_emb.weight"));
  EXPECT_EQ(b.at("class_emb.weight").shape(), (t::Shape{cond_config.num_classes + 1, dim}));
  EXPECT_EQ(plain.num_classes(), 0);
  EXPECT_EQ(cond.num_classes(), cond_config.num_classes);
}

}  // namespace

TEST(ClassConditional, WithoutClassesTheConfigTextIsUnchanged) {
  EXPECT_FALSE(contains(small_mlp(0).to_json(), "num_classes"));
  EXPECT_FALSE(contains(small_unet(0).to_json(), "num_classes"));
  EXPECT_TRUE(contains(small_mlp(3).to_json(), "\"num_classes\":3"));
  EXPECT_EQ(MLP2DConfig::from_json(small_mlp(3).to_json()).num_classes, 3);
  EXPECT_EQ(UNetConfig::from_json(small_unet(0).to_json()).num_classes, 0);
}

TEST(ClassConditional, ExtraTableOnlyAndSameInitialWeights) {
  expect_same_weights_plus_table<MLP2D>(small_mlp(0), small_mlp(3), 8);
  expect_same_weights_plus_table<UNet>(small_unet(0), small_unet(10), 16);
}

TEST(ClassConditional, NullClassIsPlainForwardAndClassesMoveTheOutput) {
  autograd::NoGradGuard no_grad;
  t::Generator gen(1);
  MLP2D mlp(small_mlp(3), gen);
  UNet unet(small_unet(4), gen);
  const t::Tensor label = t::from_vector(std::vector<double>{5, 700}, {2});
  const t::Tensor points = t::randn({2, 2}, gen), images = t::randn({2, 1, 8, 8}, gen);
  const t::Tensor null_mlp = classes_of({3, 3}), null_unet = classes_of({4, 4});
  EXPECT_EQ(max_abs_diff(mlp.forward(Variable(points), label).data(),
                         mlp.forward_class(Variable(points), label, null_mlp).data()),
            0.0);
  EXPECT_EQ(max_abs_diff(unet.forward(Variable(images), label).data(),
                         unet.forward_class(Variable(images), label, null_unet).data()),
            0.0);
  EXPECT_GT(max_abs_diff(mlp.forward_class(Variable(points), label, classes_of({0, 1})).data(),
                         mlp.forward_class(Variable(points), label, null_mlp).data()),
            1e-4);
  EXPECT_GT(max_abs_diff(unet.forward_class(Variable(images), label, classes_of({0, 3})).data(),
                         unet.forward_class(Variable(images), label, null_unet).data()),
            1e-4);
  // Each row follows its own class: row 1 of (0, 1) is row 1 of (1, 1).
  const t::Tensor mixed = mlp.forward_class(Variable(points), label, classes_of({0, 1})).data();
  const t::Tensor ones = mlp.forward_class(Variable(points), label, classes_of({1, 1})).data();
  EXPECT_EQ(max_abs_diff(mixed.narrow(0, 1, 1), ones.narrow(0, 1, 1)), 0.0);
}

TEST(ClassConditional, BadClassesAreRefused) {
  t::Generator gen(1);
  MLP2D plain(small_mlp(0), gen), cond(small_mlp(3), gen);
  const t::Tensor label = t::zeros({2});
  const Variable x(t::randn({2, 2}, gen));
  EXPECT_TRUE(contains(error_of([&] { plain.forward_class(x, label, classes_of({0, 1})); }), "without classes"));
  EXPECT_TRUE(contains(error_of([&] { cond.forward_class(x, label, classes_of({0, 4})); }), "class 4 is not in 0..3"));
  EXPECT_TRUE(contains(error_of([&] { cond.forward_class(x, label, classes_of({0})); }), "should be (2,)"));
  EXPECT_TRUE(contains(error_of([&] { cond.forward_class(x, label, t::zeros({2})); }), "Int64"));
}

// The gradient reaches the class table (and x) through index_select: float64 finite differences.
TEST(ClassConditional, GradcheckThroughTheClassEmbedding) {
  t::Generator gen(2);
  MLP2D mlp(small_mlp(3), gen);
  mlp.to(t::DType::Float64);
  const t::Tensor label = t::from_vector(std::vector<double>{3, 900, 40}, {3});
  const t::Tensor classes = classes_of({2, 0, 3});
  const t::Tensor table = mlp.class_emb->weight.data().clone();
  const auto result = autograd::gradcheck(
      [&](const std::vector<Variable>& in) {
        Variable emb =
            Variable(timestep_embedding(label, 8).to(t::DType::Float64)) + autograd::index_select(in[1], 0, classes);
        return mlp.net->forward(autograd::cat({in[0], emb}, 1));
      },
      {t::randn({3, 2}, gen, t::DType::Float64), table});
  EXPECT_TRUE(result.ok) << result.message;
  // forward_class computes exactly that composition.
  autograd::NoGradGuard no_grad;
  const t::Tensor x = t::randn({3, 2}, gen, t::DType::Float64);
  const Variable emb = Variable(timestep_embedding(label, 8).to(t::DType::Float64)) +
                       autograd::index_select(Variable(table), 0, classes);
  EXPECT_EQ(max_abs_diff(mlp.forward_class(Variable(x), label, classes).data(),
                         mlp.net->forward(autograd::cat({Variable(x), emb}, 1)).data()),
            0.0);
}
