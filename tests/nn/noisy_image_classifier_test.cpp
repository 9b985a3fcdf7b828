// The noise-aware image classifier of classifier guidance
// (nn/models/noisy_image_classifier.h): shapes and parameter count, the
// config round trip, that the time label changes the logits, the input
// gradient guidance takes (docs/math.md (12.2)) against finite differences,
// and the error for a wrong input.
#include "nn/models/noisy_image_classifier.h"

#include <gtest/gtest.h>

#include "autograd/gradcheck.h"
#include "autograd/ops.h"
#include "error_util.h"
#include "tensor/ops.h"
#include "tensor/random.h"

using nn::NoisyImageClassifier;
using nn::NoisyImageClassifierConfig;
namespace t = tensor;
namespace ag = autograd;

namespace {

NoisyImageClassifierConfig small_config() {
  NoisyImageClassifierConfig c;
  c.in_channels = 3;
  c.height = c.width = 8;
  c.channels = 4;
  c.features = 8;
  c.temb_in = 8;
  c.tdim = 8;
  c.classes = 3;
  return c;
}

}  // namespace

TEST(NoisyImageClassifier, ShapesAndParameterCount) {
  t::Generator gen(0);
  NoisyImageClassifier net(NoisyImageClassifierConfig{}, gen);
  // time MLP 32->64->64, conv 1->16, t1 64->16, conv 16->32, t2 64->32, conv 32->32, fc 32->64, head 64->10.
  EXPECT_EQ(net.parameter_count(), (32 * 64 + 64) + (64 * 64 + 64) + (9 * 16 + 16) + (64 * 16 + 16) +
                                       (9 * 16 * 32 + 32) + (64 * 32 + 32) + (9 * 32 * 32 + 32) + (32 * 64 + 64) +
                                       (64 * 10 + 10));
  EXPECT_EQ(net.parameter_count(), 26202);
  const ag::Variable x(t::randn({3, 1, 28, 28}, gen));
  EXPECT_EQ(net.forward(x, t::full({3}, 10.0)).shape(), t::Shape({3, 10}));
  EXPECT_TRUE(net.state_dict().count("temb.2.weight") && net.state_dict().count("t2.bias"));
}

TEST(NoisyImageClassifier, ConfigJsonRoundTrip) {
  const NoisyImageClassifierConfig c = small_config();
  const NoisyImageClassifierConfig back = NoisyImageClassifierConfig::from_json(c.to_json());
  EXPECT_EQ(back.to_json(), c.to_json());
  EXPECT_EQ(back.in_channels, 3);
  EXPECT_EQ(back.tdim, 8);
  EXPECT_THROW(NoisyImageClassifierConfig::from_json("{not json"), t::Error);
}

TEST(NoisyImageClassifier, TheTimeLabelChangesTheLogits) {
  // Without the time shift the classifier could not tell x_t at t = 0 from
  // the same x_t at t = 900; with it the logits of the same images differ.
  t::Generator gen(1);
  NoisyImageClassifier net(small_config(), gen);
  const ag::Variable x(t::randn({2, 3, 8, 8}, gen));
  const t::Tensor early = net.forward(x, t::full({2}, 0.0)).data();
  const t::Tensor late = net.forward(x, t::full({2}, 900.0)).data();
  EXPECT_GT(t::amax(t::abs(early - late)).item(), 1e-3);
  // Rows are independent: one image's logits do not depend on the batch.
  const t::Tensor alone = net.forward(ag::Variable(x.data().narrow(0, 1, 1)), t::full({1}, 0.0)).data();
  EXPECT_LT(t::amax(t::abs(alone - early.narrow(0, 1, 1))).item(), 1e-5);
}

TEST(NoisyImageClassifier, InputGradientMatchesFiniteDifferences) {
  t::Generator gen(2);
  NoisyImageClassifier net(small_config(), gen);
  net.to(t::DType::Float64);
  const t::Tensor x = t::randn({2, 3, 8, 8}, gen, t::DType::Float64);
  const t::Tensor label = t::from_vector(std::vector<float>{5, 700}, {2});
  const ag::GradcheckResult r =
      ag::gradcheck([&](const std::vector<ag::Variable>& v) { return net.forward(v[0], label); }, {x});
  EXPECT_TRUE(r.ok) << r.message;
}

TEST(NoisyImageClassifier, ErrorsNameTheShapes) {
  t::Generator gen(3);
  NoisyImageClassifier net(small_config(), gen);
  const std::string image = tensor_test::error_of([&] {
    net.forward(ag::Variable(t::zeros({2, 1, 8, 8})), t::zeros({2}));
  });
  EXPECT_TRUE(tensor_test::contains(image, "(2, 1, 8, 8)") && tensor_test::contains(image, "(N, 3, 8, 8)")) << image;
  const std::string time = tensor_test::error_of([&] {
    net.forward(ag::Variable(t::zeros({2, 3, 8, 8})), t::zeros({3}));
  });
  EXPECT_TRUE(tensor_test::contains(time, "(3,)")) << time;
  NoisyImageClassifierConfig bad = small_config();
  bad.temb_in = 7;
  EXPECT_TRUE(tensor_test::contains(tensor_test::error_of([&] { NoisyImageClassifier(bad, gen); }), "bad config"));
}
