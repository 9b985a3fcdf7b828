// The metric's classifier (nn/models/classifier.h) and its loss
// (nn/cross_entropy.h): shapes, config round trip, the loss against its
// closed form and finite differences, and training on a separable toy set.
#include <gtest/gtest.h>

#include <cmath>

#include "autograd/gradcheck.h"
#include "autograd/ops.h"
#include "error_util.h"
#include "nn/cross_entropy.h"
#include "nn/models/classifier.h"
#include "nn/optim/adam.h"
#include "tensor/ops.h"
#include "tensor/random.h"

using nn::Classifier;
using nn::ClassifierConfig;
using nn::cross_entropy;
namespace t = tensor;
namespace ag = autograd;

namespace {

t::Tensor labels_of(const std::vector<int64_t>& values) {
  return t::from_vector(values, {static_cast<int64_t>(values.size())});
}

ClassifierConfig small_config() {
  ClassifierConfig c;
  c.height = c.width = 8;
  c.channels = 8;
  c.features = 16;
  c.classes = 2;
  return c;
}

// n images (n, 1, 8, 8) of two classes anyone can tell apart: class 0 is
// bright in its left half, class 1 in its right half, both under noise of
// std 0.5. Labels alternate 0, 1, 0, ...
std::pair<t::Tensor, t::Tensor> two_halves(int64_t n, uint64_t seed) {
  t::Generator gen(seed);
  t::Tensor x = t::randn({n, 1, 8, 8}, gen) * 0.5;
  std::vector<int64_t> labels(n);
  float* p = x.data<float>();
  for (int64_t i = 0; i < n; ++i) {
    labels[i] = i % 2;
    for (int64_t row = 0; row < 8; ++row)
      for (int64_t col = 0; col < 4; ++col) p[i * 64 + row * 8 + col + 4 * labels[i]] += 1.0f;
  }
  return {x, labels_of(labels)};
}

}  // namespace

TEST(Classifier, ShapesAndParameterCount) {
  t::Generator gen(0);
  Classifier net(ClassifierConfig{}, gen);
  // conv 1->32, 32->64, 64->64 (3x3, with bias), fc 64->128, head 128->10.
  EXPECT_EQ(net.parameter_count(), (9 * 32 + 32) + (9 * 32 * 64 + 64) + (9 * 64 * 64 + 64) + (64 * 128 + 128) +
                                       (128 * 10 + 10));
  EXPECT_EQ(net.parameter_count(), 65354);
  const ag::Variable x(t::randn({3, 1, 28, 28}, gen));
  EXPECT_EQ(net.features(x).shape(), t::Shape({3, 128}));
  EXPECT_EQ(net.forward(x).shape(), t::Shape({3, 10}));
  EXPECT_TRUE(net.state_dict().count("trunk.4.weight"));  // conv3, named as in an nn.Sequential
  const std::string error = tensor_test::error_of([&] { net.forward(ag::Variable(t::zeros({3, 1, 32, 32}))); });
  EXPECT_TRUE(tensor_test::contains(error, "(3, 1, 32, 32)") && tensor_test::contains(error, "(N, 1, 28, 28)"))
      << error;
}

TEST(Classifier, ConfigJsonRoundTrip) {
  ClassifierConfig c = small_config();
  c.in_channels = 3;
  const ClassifierConfig back = ClassifierConfig::from_json(c.to_json());
  EXPECT_EQ(back.to_json(), c.to_json());
  EXPECT_EQ(back.in_channels, 3);
  EXPECT_EQ(back.height, 8);
  EXPECT_THROW(ClassifierConfig::from_json("{not json"), t::Error);
}

TEST(Classifier, InputGradientMatchesFiniteDifferences) {
  t::Generator gen(1);
  Classifier net(small_config(), gen);
  net.to(t::DType::Float64);
  const t::Tensor x = t::randn({2, 1, 8, 8}, gen, t::DType::Float64);
  const ag::GradcheckResult r = ag::gradcheck([&](const std::vector<ag::Variable>& v) { return net.forward(v[0]); }, {x});
  EXPECT_TRUE(r.ok) << r.message;
}

TEST(CrossEntropy, ClosedFormValues) {
  // Equal logits: every class has probability 1/K, the loss is log K.
  EXPECT_NEAR(cross_entropy(ag::Variable(t::zeros({4, 10})), labels_of({0, 3, 9, 9})).item(), std::log(10.0), 1e-6);
  // Rows (2, 0) and (0, 1) with labels 0 and 0: mean of log(1 + e^-2) and log(1 + e^1).
  const ag::Variable logits(t::from_vector(std::vector<double>{2, 0, 0, 1}, {2, 2}, t::DType::Float64));
  const double expected = 0.5 * (std::log1p(std::exp(-2.0)) + std::log1p(std::exp(1.0)));
  EXPECT_NEAR(cross_entropy(logits, labels_of({0, 0})).item(), expected, 1e-14);
}

TEST(CrossEntropy, GradientIsSoftmaxMinusOneHotOverN) {
  t::Generator gen(2);
  const t::Tensor z = t::randn({5, 4}, gen, t::DType::Float64);
  const t::Tensor y = labels_of({0, 3, 1, 1, 2});
  const ag::GradcheckResult r =
      ag::gradcheck([&](const std::vector<ag::Variable>& v) { return cross_entropy(v[0], y); }, {z});
  EXPECT_TRUE(r.ok) << r.message;
  // And the closed form: (softmax(z) - one_hot(y)) / N.
  ag::Variable leaf(z, /*requires_grad=*/true);
  cross_entropy(leaf, y).backward();
  const std::vector<double> grad = leaf.grad().to_vector<double>(), p = t::softmax(z, 1).to_vector<double>();
  const std::vector<int64_t> label = y.to_vector<int64_t>();
  for (int64_t i = 0; i < 5; ++i)
    for (int64_t k = 0; k < 4; ++k)
      EXPECT_NEAR(grad[i * 4 + k], (p[i * 4 + k] - (label[i] == k ? 1.0 : 0.0)) / 5.0, 1e-15) << i << "," << k;
}

TEST(CrossEntropy, ErrorsNameTheProblem) {
  const std::string range = tensor_test::error_of([] { cross_entropy(ag::Variable(t::zeros({2, 3})), labels_of({0, 3})); });
  EXPECT_TRUE(tensor_test::contains(range, "0..2")) << range;
  const std::string dtype =
      tensor_test::error_of([] { cross_entropy(ag::Variable(t::zeros({2, 3})), t::zeros({2})); });
  EXPECT_TRUE(tensor_test::contains(dtype, "Int64")) << dtype;
  const std::string shape =
      tensor_test::error_of([] { cross_entropy(ag::Variable(t::zeros({2, 3})), labels_of({0, 1, 2})); });
  EXPECT_TRUE(tensor_test::contains(shape, "(2, 3)")) << shape;
}

TEST(Classifier, TrainingSeparatesTwoClasses) {
  // 60 Adam steps on 64 images: the loss must fall well below log 2 and new
  // images of the same two kinds must come out right. A wrong gradient
  // anywhere in the network leaves the loss near log 2 and fails this.
  t::Generator gen(3);
  Classifier net(small_config(), gen);
  const auto [x, y] = two_halves(64, 4);
  nn::AdamOptions adam;
  adam.lr = 3e-3;
  nn::Adam optimizer(net.named_parameters(), adam);
  const double initial = cross_entropy(net.forward(ag::Variable(x)), y).item();
  double final_loss = initial;
  for (int step = 0; step < 60; ++step) {
    const ag::Variable loss = cross_entropy(net.forward(ag::Variable(x)), y);
    final_loss = loss.item();
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
  }
  EXPECT_NEAR(initial, std::log(2.0), 0.2);
  EXPECT_LT(final_loss, 0.1) << "initial " << initial;
  const auto [x_new, y_new] = two_halves(32, 5);
  ag::NoGradGuard no_grad;
  const std::vector<float> logits = net.forward(ag::Variable(x_new)).data().to_vector<float>();
  const std::vector<int64_t> labels = y_new.to_vector<int64_t>();
  int correct = 0;
  for (int i = 0; i < 32; ++i) correct += (logits[2 * i + 1] > logits[2 * i]) == (labels[i] == 1);
  EXPECT_EQ(correct, 32);
}
