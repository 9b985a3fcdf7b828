// adam_step_, the optimizer update as a tensor op: one step against the rule
// worked by hand (nn/optim/adam.h), in float32 and float64, both kinds of
// weight decay, and the front-end's errors. (AdamW against PyTorch over many
// steps is tests/nn/torch_fixtures_test.cpp.)
#include <gtest/gtest.h>

#include <cmath>

#include "error_util.h"
#include "tensor/ops.h"

using namespace tensor;
using tensor_test::contains;
using tensor_test::error_of;

namespace {
// The rule of nn/optim/adam.h for one element, in double.
double adam_by_hand(double p, double g, double m, double v, const AdamStepParams& o, double* m_out, double* v_out) {
  if (o.decoupled)
    p *= 1.0 - o.lr * o.weight_decay;
  else
    g += o.weight_decay * p;
  *m_out = o.beta1 * m + (1 - o.beta1) * g;
  *v_out = o.beta2 * v + (1 - o.beta2) * g * g;
  const double bc1 = 1 - std::pow(o.beta1, static_cast<double>(o.step));
  const double bc2 = 1 - std::pow(o.beta2, static_cast<double>(o.step));
  return p - o.lr / bc1 * *m_out / (std::sqrt(*v_out) / std::sqrt(bc2) + o.eps);
}
}  // namespace

TEST(AdamStep, OneStepMatchesTheRuleByHand) {
  for (const bool decoupled : {false, true})
    for (const DType dtype : {DType::Float32, DType::Float64}) {
      const AdamStepParams o{0.01, 0.9, 0.999, 1e-8, 0.1, 3, decoupled};
      const std::vector<double> p0 = {0.5, -1.0, 2.0}, g0 = {0.1, -0.3, 0.02}, m0 = {0.01, 0.0, -0.2},
                                v0 = {1e-3, 2e-3, 0.0};
      Tensor p = from_vector(p0, {3}, dtype), g = from_vector(g0, {3}, dtype);
      Tensor m = from_vector(m0, {3}, dtype), v = from_vector(v0, {3}, dtype);
      adam_step_(p, g, m, v, o);
      const double tol = dtype == DType::Float32 ? 1e-6 : 1e-14;
      for (int64_t i = 0; i < 3; ++i) {
        double m1 = 0, v1 = 0;
        const double p1 = adam_by_hand(p0[i], g0[i], m0[i], v0[i], o, &m1, &v1);
        EXPECT_NEAR(p.to_vector<double>()[i], p1, tol) << i << " decoupled " << decoupled;
        EXPECT_NEAR(m.to_vector<double>()[i], m1, tol);
        EXPECT_NEAR(v.to_vector<double>()[i], v1, tol);
      }
    }
}

TEST(AdamStep, FrontEndRejectsMismatchedOrStridedState) {
  const AdamStepParams o{0.01, 0.9, 0.999, 1e-8, 0.0, 1, true};
  Tensor p = zeros({2, 3}), g = zeros({2, 3}), m = zeros({2, 3}), v = zeros({2, 3});
  Tensor short_m = zeros({3});
  EXPECT_TRUE(contains(error_of([&] { adam_step_(p, g, short_m, v, o); }), "(2, 3)"));
  Tensor double_v = zeros({2, 3}, DType::Float64);
  EXPECT_TRUE(contains(error_of([&] { adam_step_(p, g, m, double_v, o); }), "dtypes differ"));
  Tensor strided = zeros({3, 2}).t();
  EXPECT_TRUE(contains(error_of([&] { adam_step_(strided, g, m, v, o); }), "contiguous"));
  Tensor ints = zeros({2, 3}, DType::Int64);
  EXPECT_TRUE(contains(error_of([&] { adam_step_(ints, g, m, v, o); }), "int64"));
  EXPECT_TRUE(contains(error_of([&] { adam_step_(p, g, m, m, o); }), "share memory"));
  const AdamStepParams step0{0.01, 0.9, 0.999, 1e-8, 0.0, 0, true};
  EXPECT_TRUE(contains(error_of([&] { adam_step_(p, g, m, v, step0); }), "step count"));
}
