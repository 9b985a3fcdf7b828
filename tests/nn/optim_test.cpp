// Optimizers against their update rules worked by hand, EMA, gradient
// clipping, the warmup-cosine schedule, and exact resume from saved state.
// (AdamW against PyTorch itself is in torch_fixtures_test.cpp.)
#include <gtest/gtest.h>

#include <cmath>

#include "autograd/ops.h"
#include "nn/nn.h"
#include "nn/optim/adam.h"
#include "nn/optim/clip_grad.h"
#include "nn/optim/ema.h"
#include "nn/optim/lr_schedule.h"
#include "nn/optim/sgd.h"

using namespace nn;
namespace t = tensor;
namespace ag = autograd;

namespace {
// A parameter with value `v` and gradient `g` (one element each, float64).
Variable param_with_grad(double v, double g) {
  Variable p(t::from_list({v}, DType::Float64), true);
  p.set_grad(t::from_list({g}, DType::Float64));
  return p;
}
}  // namespace

TEST(Optim, SGDMomentumMatchesHandComputation) {
  Variable p = param_with_grad(1.0, 0.5);
  SGDOptions o;
  o.lr = 0.1;
  o.momentum = 0.9;
  o.weight_decay = 0.1;
  SGD opt({{"p", p}}, o);
  opt.step();  // d = 0.5 + 0.1 * 1 = 0.6; buf = 0.6; p = 1 - 0.06 = 0.94
  EXPECT_NEAR(p.item(), 0.94, 1e-12);
  p.set_grad(t::from_list({0.5}, DType::Float64));
  opt.step();  // d = 0.5 + 0.094 = 0.594; buf = 0.54 + 0.594 = 1.134; p = 0.94 - 0.1134
  EXPECT_NEAR(p.item(), 0.94 - 0.1134, 1e-12);
  EXPECT_NEAR(opt.state_dict().at("momentum_buffer.p").item(), 1.134, 1e-12);
}

TEST(Optim, AdamFirstStepMovesByLr) {
  // With bias correction, the first step is lr * g / (|g| + eps) ~ lr * sign(g).
  Variable p = param_with_grad(1.0, 3.0);
  AdamOptions o;
  o.lr = 0.01;
  Adam opt({{"p", p}}, o);
  opt.step();
  EXPECT_NEAR(p.item(), 1.0 - 0.01, 1e-9);
}

TEST(Optim, AdamWDecayIsDecoupled) {
  // Zero gradient: Adam's moments stay 0 and only the decay p *= 1 - lr * wd acts.
  Variable p = param_with_grad(2.0, 0.0);
  AdamWOptions o;
  o.lr = 0.1;
  o.weight_decay = 0.5;
  AdamW opt({{"p", p}}, o);
  opt.step();
  EXPECT_NEAR(p.item(), 2.0 * (1 - 0.05), 1e-12);
  // Adam's L2 form instead feeds the decay through the moments: a full lr step.
  Variable q = param_with_grad(2.0, 0.0);
  AdamOptions a;
  a.lr = 0.1;
  a.weight_decay = 0.5;
  Adam adam({{"q", q}}, a);
  adam.step();
  EXPECT_NEAR(q.item(), 2.0 - 0.1, 1e-8);  // eps in the denominator: 0.1 / (1 + 1e-8)
}

TEST(Optim, ParametersWithoutGradientAreSkipped) {
  Variable p(t::ones({2}), true);
  AdamW opt({{"p", p}});
  opt.step();
  EXPECT_EQ(p.data().to_vector<float>(), (std::vector<float>{1, 1}));
}

TEST(Optim, ResumeFromSavedStateIsExact) {
  // Train 6 steps straight; and 3 steps, save, restore into fresh objects, 3 more.
  auto make = [](uint64_t seed) { t::Generator g(seed); return std::make_shared<MLP2D>(MLP2DConfig{2, 16, 8, 2}, g); };
  auto batch = [](int step) {
    t::Generator g(100 + step);
    return std::make_pair(t::randn({32, 2}, g), t::rand({32}, g));
  };
  auto train = [&](MLP2D& model, AdamW& opt, int from, int to) {
    for (int s = from; s < to; ++s) {
      auto [x, tt] = batch(s);
      Variable loss = ag::mean(ag::square(model(Variable(x), tt)));
      opt.zero_grad();
      loss.backward();
      opt.step();
    }
  };
  auto straight = make(1);
  AdamW opt_straight(straight->named_parameters());
  train(*straight, opt_straight, 0, 6);

  auto first = make(1);
  AdamW opt_first(first->named_parameters());
  train(*first, opt_first, 0, 3);
  StateDict weights, state;
  for (auto& [k, v] : first->state_dict()) weights[k] = v.clone();
  for (auto& [k, v] : opt_first.state_dict()) state[k] = v.clone();

  auto resumed = make(2);  // different init: everything must come from the saved state
  resumed->load_state_dict(weights);
  AdamW opt_resumed(resumed->named_parameters());
  opt_resumed.load_state_dict(state, opt_first.step_count());
  train(*resumed, opt_resumed, 3, 6);
  for (auto& [name, v] : straight->state_dict())
    EXPECT_EQ(v.to_vector<float>(), resumed->state_dict().at(name).to_vector<float>()) << name;
}

TEST(Optim, LoadStateChecksNamesAndShapes) {
  Variable p(t::ones({2, 3}), true);
  AdamW opt({{"w", p}});
  StateDict s = opt.state_dict();
  s.erase("exp_avg_sq.w");
  EXPECT_THROW(opt.load_state_dict(s, 1), t::Error);
  s = opt.state_dict();
  s["exp_avg.w"] = t::zeros({3, 2});
  EXPECT_THROW(opt.load_state_dict(s, 1), t::Error);
  s = opt.state_dict();
  s["exp_avg.v"] = t::zeros({1});
  EXPECT_THROW(opt.load_state_dict(s, 1), t::Error);
}

TEST(Optim, ClipGradNormScalesToMaxNorm) {
  Variable a = param_with_grad(0, 3.0), b = param_with_grad(0, 4.0);  // global norm 5
  const double norm = clip_grad_norm({a, b}, 1.0);
  EXPECT_NEAR(norm, 5.0, 1e-12);
  EXPECT_NEAR(a.grad().item(), 3.0 / (5.0 + 1e-6), 1e-9);
  EXPECT_NEAR(b.grad().item(), 4.0 / (5.0 + 1e-6), 1e-9);
  // Below the limit nothing changes.
  Variable c = param_with_grad(0, 0.5);
  EXPECT_NEAR(clip_grad_norm({c}, 1.0), 0.5, 1e-12);
  EXPECT_EQ(c.grad().item(), 0.5);
}

TEST(Optim, WarmupCosineSchedule) {
  WarmupCosine s{1.0, 10, 110, 0.1};
  EXPECT_NEAR(s(0), 0.1, 1e-12);
  EXPECT_NEAR(s(9), 1.0, 1e-12);
  EXPECT_NEAR(s(10), 1.0, 1e-12);
  EXPECT_NEAR(s(60), 0.55, 1e-12);  // halfway through the cosine: (max + min) / 2
  EXPECT_NEAR(s(110), 0.1, 1e-12);
  EXPECT_NEAR(s(500), 0.1, 1e-12);
  EXPECT_THROW((WarmupCosine{1.0, 10, 10, 0.0})(0), t::Error);
}

TEST(Optim, EMAUpdateCopySwap) {
  t::Generator gen(0);
  Linear lin(2, 1, gen);
  const auto w0 = lin.weight.data().to_vector<float>();
  EMA ema(lin, 0.9);
  lin.weight.mutable_data().fill_(1.0);
  ema.update(lin);  // shadow = 0.9 w0 + 0.1 * 1
  const auto shadow = ema.state_dict().at("weight").to_vector<float>();
  for (size_t i = 0; i < w0.size(); ++i) EXPECT_NEAR(shadow[i], 0.9f * w0[i] + 0.1f, 1e-6);
  ema.swap(lin);
  EXPECT_EQ(lin.weight.data().to_vector<float>(), shadow);
  ema.swap(lin);
  EXPECT_EQ(lin.weight.data().to_vector<float>(), std::vector<float>(2, 1.0f));
  Linear other(2, 1, gen);
  ema.copy_to(other);
  EXPECT_EQ(other.weight.data().to_vector<float>(), shadow);
  Linear wrong(3, 1, gen);
  EXPECT_THROW(ema.copy_to(wrong), t::Error);
}

TEST(Optim, EMAWarmupDecaySequence) {
  t::Generator gen(0);
  Linear lin(2, 1, gen);
  const auto w0 = lin.weight.data().to_vector<float>();
  EMA plain(lin, 0.999), warm(lin, 0.999, /*warmup=*/true);
  // min(0.999, (1 + n) / (10 + n)): 1/10, 2/11, 1/2 at n = 8, 0.99 at 890; the cap from
  // n = 8991 on ((1 + 8990) / (10 + 8990) is exactly 0.999).
  EXPECT_DOUBLE_EQ(warm.decay_at(0), 0.1);
  EXPECT_DOUBLE_EQ(warm.decay_at(1), 2.0 / 11.0);
  EXPECT_DOUBLE_EQ(warm.decay_at(8), 0.5);
  EXPECT_DOUBLE_EQ(warm.decay_at(890), 0.99);
  EXPECT_DOUBLE_EQ(warm.decay_at(8990), 0.999);
  EXPECT_DOUBLE_EQ(warm.decay_at(100000), 0.999);
  for (int64_t n = 0; n < 20000; n += 7) {
    EXPECT_LE(warm.decay_at(n), warm.decay_at(n + 7));  // rises to the cap, never past it
    EXPECT_LE(warm.decay_at(n), 0.999);
    EXPECT_EQ(plain.decay_at(n), 0.999);  // without warm-up: the old constant decay
  }
  // With the live weights held at 1, after k updates the initial weights keep
  // the product of the decays, prod_{n<k} (1 + n) / (10 + n) = 1 / C(k + 9, 9):
  // 1/2002 for k = 5 (against 0.999^5 without warm-up).
  lin.weight.mutable_data().fill_(1.0);
  for (int k = 0; k < 5; ++k) {
    warm.update(lin);
    plain.update(lin);
  }
  EXPECT_EQ(warm.num_updates(), 5);
  const auto warm_shadow = warm.state_dict().at("weight").to_vector<float>();
  const auto plain_shadow = plain.state_dict().at("weight").to_vector<float>();
  const double kept = 1.0 / 2002.0, kept_plain = std::pow(0.999, 5);
  for (size_t i = 0; i < w0.size(); ++i) {
    EXPECT_NEAR(warm_shadow[i], kept * w0[i] + (1 - kept), 1e-6);
    EXPECT_NEAR(plain_shadow[i], kept_plain * w0[i] + (1 - kept_plain), 1e-6);
  }
}
