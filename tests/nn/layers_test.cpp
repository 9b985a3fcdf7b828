// Layer behaviour not covered by the PyTorch fixtures or the gradchecks:
// Dropout's mask and modes, LayerNorm's statistics, Linear on batched
// input, Sequential names, the embedding at t = 0, argument errors.
#include <gtest/gtest.h>

#include <cmath>

#include "autograd/ops.h"
#include "nn/nn.h"

using namespace nn;
namespace t = tensor;
namespace ag = autograd;

TEST(Layers, DropoutZeroesAFractionAndRescales) {
  Dropout drop(0.25, /*seed=*/3);
  const Tensor ones = t::ones({100000});
  const auto y = drop(Variable(ones)).data().to_vector<float>();
  int64_t zeros = 0;
  for (float v : y) {
    if (v == 0.0f)
      ++zeros;
    else
      EXPECT_FLOAT_EQ(v, 1.0f / 0.75f);
  }
  EXPECT_NEAR(static_cast<double>(zeros) / y.size(), 0.25, 0.01);  // 0.01 is ~7 standard deviations
  drop.eval();
  EXPECT_EQ(drop(Variable(ones)).data().to_vector<float>(), ones.to_vector<float>());
  // The same seed drops the same units.
  Dropout again(0.25, 3);
  EXPECT_EQ(again(Variable(ones)).data().to_vector<float>(), y);
  EXPECT_THROW(Dropout(1.0), t::Error);
}

TEST(Layers, LayerNormNormalizesTrailingDims) {
  t::Generator gen(0);
  LayerNorm ln({4, 5});
  const Tensor x = t::add(t::mul(t::randn({3, 4, 5}, gen), 3.0), 2.0);
  const Tensor y = ln(Variable(x)).data();
  const Tensor mean = t::mean(y, {1, 2});
  const Tensor var = t::var(y, {1, 2}, false, 0);
  for (float m : mean.to_vector<float>()) EXPECT_NEAR(m, 0.0, 1e-5);
  for (float v : var.to_vector<float>()) EXPECT_NEAR(v, 1.0, 1e-3);  // eps = 1e-5 against var ~ 9
  EXPECT_THROW(ln(Variable(t::zeros({3, 5, 4}))), t::Error);
}

TEST(Layers, LinearOnBatchedInputMatchesRowByRow) {
  t::Generator gen(0);
  Linear lin(3, 2, gen);
  const Tensor x = t::randn({2, 4, 3}, gen);
  const Tensor y = lin(Variable(x)).data();
  EXPECT_EQ(y.shape(), (t::Shape{2, 4, 2}));
  const Tensor row = lin(Variable(x.select(0, 1).narrow(0, 2, 1))).data();  // x[1, 2:3, :]
  const auto expected = row.to_vector<float>();
  const auto got = y.select(0, 1).narrow(0, 2, 1).to_vector<float>();
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], expected[i], 1e-6);
  EXPECT_THROW(lin(Variable(t::zeros({2, 4}))), t::Error);
}

TEST(Layers, SequentialNamesChildrenByIndex) {
  t::Generator gen(0);
  Sequential seq({std::make_shared<Linear>(2, 3, gen), std::make_shared<ReLU>(), std::make_shared<Linear>(3, 1, gen)});
  std::vector<std::string> names;
  for (auto& [name, p] : seq.named_parameters()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"}));
  EXPECT_EQ(seq(Variable(t::ones({5, 2}))).shape(), (t::Shape{5, 1}));
}

TEST(Layers, TimestepEmbeddingAtZeroAndShape) {
  const Tensor e = timestep_embedding(t::from_list({0, 3}), 8);
  EXPECT_EQ(e.shape(), (t::Shape{2, 8}));
  const auto v = e.to_vector<float>();
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(v[i], 0.0f);      // sin(0)
    EXPECT_EQ(v[4 + i], 1.0f);  // cos(0)
  }
  EXPECT_NEAR(v[8], std::sin(3.0), 1e-6);                 // freq_0 = 1
  EXPECT_NEAR(v[8 + 4 + 3], std::cos(3.0 * 1e-4), 1e-6);  // freq_{half-1} = 1/10000
  EXPECT_THROW(timestep_embedding(t::from_list({1}), 7), t::Error);
}

TEST(Layers, TimestepEmbeddingEqualsTheFloatLoopBitForBit) {
  // The specification in float32, element by element: freq_i, then t * freq_i,
  // then sin / cos (the tensor ops must give exactly these values).
  const std::vector<float> times = {0, 1, 17, 250.5f, 999};
  const int64_t dim = 64, half = dim / 2;
  const auto e = timestep_embedding(t::from_vector(times, {5}), dim).to_vector<float>();
  const float neg_log_10000 = static_cast<float>(-std::log(10000.0));
  for (size_t r = 0; r < times.size(); ++r)
    for (int64_t i = 0; i < half; ++i) {
      const float freq = std::exp(static_cast<float>(i) * neg_log_10000 / static_cast<float>(half - 1));
      const float arg = times[r] * freq;
      ASSERT_EQ(e[r * dim + i], std::sin(arg)) << r << " " << i;
      ASSERT_EQ(e[r * dim + half + i], std::cos(arg)) << r << " " << i;
    }
}

TEST(Layers, UpsampleAndIdentity) {
  Upsample up(2);
  const Tensor x = t::from_list({1, 2, 3, 4}).reshape({1, 1, 2, 2});
  const auto y = up(Variable(x)).data().to_vector<float>();
  EXPECT_EQ(y, (std::vector<float>{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}));
  Identity id;
  EXPECT_EQ(id(Variable(x)).data().to_vector<float>(), x.to_vector<float>());
}

TEST(Layers, BadConfigurationsThrow) {
  t::Generator gen(0);
  EXPECT_THROW(GroupNorm(3, 8), t::Error);
  EXPECT_THROW(SpatialAttention(6, gen, 2, 4), t::Error);
  EXPECT_THROW(Conv2d(1, 1, 3, gen, 0), t::Error);
  EXPECT_THROW(Linear(0, 1, gen), t::Error);
  UNetConfig c;
  c.channel_mult = {1};
  EXPECT_THROW(UNet(c, gen), t::Error);
}
