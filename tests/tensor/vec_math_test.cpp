// The vectorizable float exp against the C library, and the ops built on it.
#include <gtest/gtest.h>

#include <cmath>

#include "tensor/cpu/vec_math.h"
#include "tensor/ops.h"

using namespace tensor;

TEST(VecMath, ExpMatchesLibmToAFewUlp) {
  double worst = 0;
  for (int i = 0; i <= 200000; ++i) {
    const float x = -86.5f + 175.0f * static_cast<float>(i) / 200000.0f;
    const double want = std::exp(static_cast<double>(x));
    const double rel = std::abs(static_cast<double>(cpu::exp_f32(x)) - want) / want;
    worst = std::max(worst, rel);
  }
  EXPECT_LT(worst, 3e-7) << "worst relative error " << worst;
}

TEST(VecMath, ExpEdges) {
  EXPECT_EQ(cpu::exp_f32(0.0f), 1.0f);
  EXPECT_EQ(cpu::exp_f32(-100.0f), 0.0f);
  EXPECT_TRUE(std::isinf(cpu::exp_f32(100.0f)));
  EXPECT_EQ(cpu::exp_f32(-std::numeric_limits<float>::infinity()), 0.0f);
}

TEST(VecMath, SiluAndSigmoidOpsMatchDoubleFormulas) {
  Tensor x = linspace(-30, 30, 10001);
  const std::vector<float> silu_v = silu(x).to_vector<float>(), sig_v = sigmoid(x).to_vector<float>();
  const std::vector<float> xv = x.to_vector<float>();
  for (size_t i = 0; i < xv.size(); ++i) {
    const double s = 1.0 / (1.0 + std::exp(-static_cast<double>(xv[i])));
    EXPECT_NEAR(sig_v[i], s, 1e-6 * s + 1e-30) << "x = " << xv[i];
    EXPECT_NEAR(silu_v[i], xv[i] * s, 1e-6 * std::abs(xv[i] * s) + 1e-30) << "x = " << xv[i];
  }
}
