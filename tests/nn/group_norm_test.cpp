// The fused GroupNorm (+ SiLU) kernel against the composed specification
// nn::group_norm_composed: values and gradients in float32 (contiguous and
// strided input, with and without affine parameters), and float64 gradchecks
// of the fused op itself.
#include <gtest/gtest.h>

#include "autograd/gradcheck.h"
#include "autograd/ops.h"
#include "fixture_compare.h"
#include "nn/layers/group_norm.h"
#include "tensor/random.h"

namespace t = tensor;
namespace ag = autograd;
using ag::Variable;

namespace {
struct Case {
  t::Shape shape;
  int64_t groups;
  bool affine, silu, strided;
};

void check_against_composed(const Case& c) {
  t::Generator gen(c.shape[1] * 7 + c.groups);
  t::Tensor x_data = t::add(t::mul(t::randn(c.shape, gen), 2.0), 0.5);
  if (c.strided) x_data = t::randn({c.shape[0], c.shape[1], c.shape[3], c.shape[2]}, gen).transpose(2, 3);
  const int64_t C = c.shape[1];
  t::Tensor w_data = t::randn({C}, gen), b_data = t::randn({C}, gen);
  t::Tensor upstream = t::randn(c.shape, gen);

  auto run = [&](bool fused) {
    Variable x(x_data, true), w, b;
    if (c.affine) w = Variable(w_data, true), b = Variable(b_data, true);
    Variable y = fused ? ag::group_norm(x, c.groups, w, b, 1e-5, c.silu)
                       : nn::group_norm_composed(x, c.groups, w, b, 1e-5);
    if (!fused && c.silu) y = ag::silu(y);
    y.backward(upstream);
    return std::vector<t::Tensor>{y.data(), x.grad(), c.affine ? w.grad() : t::Tensor(),
                                  c.affine ? b.grad() : t::Tensor()};
  };
  const auto fused = run(true), composed = run(false);
  const char* names[] = {"output", "grad x", "grad weight", "grad bias"};
  for (int i = 0; i < (c.affine ? 4 : 2); ++i)
    compare_to_torch(std::string("fused vs composed ") + names[i], fused[i], composed[i], 1e-5);
}
}  // namespace

TEST(FusedGroupNorm, MatchesComposition) {
  check_against_composed({{4, 32, 28, 28}, 8, true, false, false});
  check_against_composed({{4, 32, 28, 28}, 8, true, true, false});
  check_against_composed({{3, 64, 7, 7}, 8, true, true, false});
  check_against_composed({{2, 6, 5, 3}, 3, false, true, false});
  check_against_composed({{2, 8, 4, 6}, 2, true, false, true});  // a transposed (strided) input
}

TEST(FusedGroupNorm, GradcheckFloat64) {
  for (bool silu : {false, true}) {
    auto f = [silu](const std::vector<Variable>& v) { return ag::group_norm(v[0], 2, v[1], v[2], 1e-5, silu); };
    t::Generator gen(silu);
    const auto r = ag::gradcheck(f, {t::randn({2, 4, 3, 2}, gen, t::DType::Float64),
                                     t::randn({4}, gen, t::DType::Float64), t::randn({4}, gen, t::DType::Float64)});
    EXPECT_TRUE(r.ok) << "silu " << silu << ": " << r.message;
  }
  // Without affine parameters, on a 3-D (N, C, L) input.
  auto f = [](const std::vector<Variable>& v) { return ag::group_norm(v[0], 3, {}, {}, 1e-5, true); };
  t::Generator gen(5);
  const auto r = ag::gradcheck(f, {t::randn({2, 6, 5}, gen, t::DType::Float64)});
  EXPECT_TRUE(r.ok) << r.message;
}

TEST(FusedGroupNorm, ChecksItsArguments) {
  Variable x(t::zeros({2, 6, 4, 4}));
  EXPECT_THROW(ag::group_norm(x, 4, {}, {}, 1e-5), t::Error);  // 6 channels, 4 groups
  EXPECT_THROW(ag::group_norm(x, 3, Variable(t::ones({5})), {}, 1e-5), t::Error);
  EXPECT_THROW(ag::group_norm(Variable(t::zeros({6})), 3, {}, {}, 1e-5), t::Error);
}
