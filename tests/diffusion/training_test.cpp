// Training (docs/math.md section 2): the prediction conversions and loss weights
// are checked against the oracle's exact quantities, the Trainer is seeded,
// and a short real run of MLP2D on the Gaussian mixture learns something.
#include "diffusion/training.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "diffusion/ddim.h"
#include "diffusion/metrics.h"
#include "diffusion/oracle.h"
#include "diffusion/timesteps.h"
#include "nn/models/mlp2d.h"
#include "nn/optim/adam.h"
#include "tensor/ops.h"
#include "tensor/random.h"

using namespace diffusion;
namespace t = tensor;

namespace {
GaussianMixture three_components() {
  return make_gaussian_mixture({{-1.5, 0.0}, {1.5, 0.5}, {0.0, 1.8}}, {0.15, 0.1, 0.2}, {0.5, 0.3, 0.2});
}
double mean_of(const std::vector<double>& v, size_t lo, size_t hi) {
  return std::accumulate(v.begin() + lo, v.begin() + hi, 0.0) / static_cast<double>(hi - lo);
}
}  // namespace

// x0- and v-outputs (2.3)-(2.4) of the exact denoiser convert back to its eps,
// and the eps-unit weights turn eps-MSE into x0-MSE and v-MSE (section 2).
TEST(Training, PredictionConversionsAndWeights) {
  const Schedule sch = linear_schedule(1000);
  t::Generator gen(1);
  const int64_t n = 64;
  const int64_t step = 300;
  const double a = sch.a(step), b = sch.b(step);
  const t::Tensor av = t::full({n}, a, t::DType::Float64), bv = t::full({n}, b, t::DType::Float64);
  const t::Tensor x0 = t::randn({n, 2}, gen, t::DType::Float64);
  const t::Tensor eps = t::randn({n, 2}, gen, t::DType::Float64);
  const t::Tensor x_t = a * x0 + b * eps;
  const t::Tensor v = a * eps - b * x0;  // (2.4)
  const Variable xv(x_t);
  EXPECT_LT(t::amax(t::abs(eps_from_output(Variable(x0), xv, av, bv, Prediction::X0).data() - eps)).item(), 1e-12);
  EXPECT_LT(t::amax(t::abs(eps_from_output(Variable(v), xv, av, bv, Prediction::V).data() - eps)).item(), 1e-12);

  // An imperfect prediction: the weighted eps-MSE equals the MSE in the prediction's own units.
  const t::Tensor x0_hat = x0 + 0.1 * t::randn({n, 2}, gen, t::DType::Float64);
  const t::Tensor eps_hat = (x_t - a * x0_hat) / b;
  const t::Tensor v_hat = a * eps_hat - b * x0_hat;
  const double eps_mse = t::mean(t::square(eps - eps_hat)).item();
  const double alpha_bar = sch.alpha_bar[step];
  EXPECT_NEAR(loss_weight(LossWeighting::X0, alpha_bar) * eps_mse, t::mean(t::square(x0 - x0_hat)).item(), 1e-12);
  EXPECT_NEAR(loss_weight(LossWeighting::V, alpha_bar) * eps_mse, t::mean(t::square(v - v_hat)).item(), 1e-12);
  EXPECT_EQ(loss_weight(LossWeighting::Eps, alpha_bar), 1.0);
}

// Min-SNR weighting (12.9) in eps units is min(SNR, gamma) / SNR: 1 where SNR <= gamma,
// gamma / SNR above; in x0 units (times SNR) it is min(SNR, gamma), Hang et al.'s form.
TEST(Training, MinSnrWeightIsCappedSnrOverSnr) {
  const Schedule sch = linear_schedule(1000);
  for (const int64_t step : {1, 10, 50, 200, 999}) {
    const double alpha_bar = sch.alpha_bar[step];
    const double snr = alpha_bar / (1.0 - alpha_bar);
    for (const double gamma : {1.0, 5.0}) {
      const double w = loss_weight(LossWeighting::MinSnr, alpha_bar, gamma);
      EXPECT_NEAR(w * snr, std::min(snr, gamma), 1e-9 * snr) << "step " << step << " gamma " << gamma;
      EXPECT_LE(w, 1.0);
    }
  }
  // The linear schedule's SNR falls through 5 between those steps: both branches are taken.
  EXPECT_LT(loss_weight(LossWeighting::MinSnr, sch.alpha_bar[1], 5.0), 0.01);
  EXPECT_EQ(loss_weight(LossWeighting::MinSnr, sch.alpha_bar[999], 5.0), 1.0);
  EXPECT_EQ(parse_loss_weighting("min-snr"), LossWeighting::MinSnr);
  EXPECT_THROW(parse_loss_weighting("snr"), t::Error);
}

// A "network" that outputs the oracle's exact x0 (Tweedie, 10.5) or v, wrapped by
// eps_model_from, must give the oracle's exact eps: the conversion of MATH section 6.
TEST(Training, EpsModelFromX0AndVNetworksMatchTheOracle) {
  const GaussianMixture gmm = three_components();
  const Schedule sch = linear_schedule(1000);
  const KernelFn kernel = ddpm_kernel(sch);
  const EpsModel oracle = gmm_eps_model(gmm, kernel);
  const EpsModel x0_net = [&](const Variable& x, const t::Tensor& label) {
    auto [a, b] = kernel(label);
    return Variable(posterior_mean(gmm, x.data(), a, b));
  };
  const EpsModel v_net = [&](const Variable& x, const t::Tensor& label) {
    auto [a, b] = kernel(label);
    const t::Tensor eps = oracle(x, label).data();
    const t::Tensor x0 = posterior_mean(gmm, x.data(), a, b);
    return Variable(per_sample(a, 2, x.dtype()) * eps - per_sample(b, 2, x.dtype()) * x0);  // (2.4)
  };
  t::Generator gen(4);
  const t::Tensor x = t::randn({32, 2}, gen, t::DType::Float64);
  for (double label : {0.0, 99.0, 700.0}) {
    const t::Tensor labels = t::full({32}, label);
    const t::Tensor expected = oracle(Variable(x), labels).data();
    const t::Tensor from_x0 = eps_model_from(x0_net, Prediction::X0, kernel)(Variable(x), labels).data();
    const t::Tensor from_v = eps_model_from(v_net, Prediction::V, kernel)(Variable(x), labels).data();
    // x0 -> eps divides by b_t (0.01 at t = 1), so allow for that amplification of rounding.
    EXPECT_LT(t::amax(t::abs(from_x0 - expected)).item(), 1e-9) << "label " << label;
    EXPECT_LT(t::amax(t::abs(from_v - expected)).item(), 1e-12) << "label " << label;
  }
}

TEST(Training, TrainerIsSeeded) {
  const GaussianMixture gmm = three_components();
  auto run = [&] {
    t::Generator init(7);
    nn::MLP2D model(nn::MLP2DConfig{2, 32, 16, 2}, init);
    nn::AdamW opt(model.named_parameters(), nn::AdamWOptions{1e-3});
    Trainer trainer(
        model, linear_schedule(1000), opt, [&](t::Generator& g) { return sample_mixture(gmm, 64, g); },
        TrainerOptions{{}, 42});
    return trainer.train(5);
  };
  EXPECT_EQ(run(), run());
}

// A few hundred AdamW steps of a small MLP2D on the mixture: the loss drops and
// DDIM samples from the trained net are much closer (SWD) to the data than noise is.
TEST(Training, ShortRunLearnsTheMixture) {
  const GaussianMixture gmm = three_components();
  const Schedule sch = linear_schedule(1000);
  t::Generator init(3);
  nn::MLP2D model(nn::MLP2DConfig{2, 128, 32, 3}, init);
  nn::AdamW opt(model.named_parameters(), nn::AdamWOptions{2e-3, 0.9, 0.999, 1e-8, 0.0});
  nn::EMA ema(model, 0.99);
  Trainer trainer(
      model, sch, opt, [&](t::Generator& g) { return sample_mixture(gmm, 256, g); }, TrainerOptions{{}, 5}, &ema);
  const std::vector<double> losses = trainer.train(600);
  const double first = mean_of(losses, 0, 50), last = mean_of(losses, 550, 600);
  std::printf("  loss: first 50 steps %.4f, last 50 steps %.4f\n", first, last);
  EXPECT_LT(last, 0.7 * first);

  ema.copy_to(model);
  model.eval();
  t::Generator gen(100);
  const t::Tensor data = sample_mixture(gmm, 2000, gen);
  const t::Tensor noise = t::randn({2000, 2}, gen);
  DdimSampler sampler{sch, even_timesteps(1000, 50), 0.0};
  const t::Tensor samples = sampler.sample(as_eps_model(model), {2000, 2}, 9);
  const double swd_samples = sliced_wasserstein(data, samples, 128, 1);
  const double swd_noise = sliced_wasserstein(data, noise, 128, 1);
  std::printf("  SWD to data: trained samples %.4f, noise %.4f\n", swd_samples, swd_noise);
  EXPECT_LT(swd_samples, 0.5 * swd_noise);
}

// Label dropout: p = 0 keeps every class, p = 1 drops every one to the null class
// C, and p = 0.3 drops about 30%, the same ones for the same generator state.
TEST(ConditionalTraining, DropClassesAtTheRateAndSeeded) {
  const int64_t n = 4000;
  std::vector<int64_t> y(n);
  for (int64_t i = 0; i < n; ++i) y[i] = i % 3;
  const t::Tensor classes = t::from_vector(y, {n});
  t::Generator g1(4), g2(4);
  EXPECT_EQ(drop_classes(classes, 3, 0.0, g1).to_vector<int64_t>(), y);
  for (int64_t c : drop_classes(classes, 3, 1.0, g1).to_vector<int64_t>()) ASSERT_EQ(c, 3);
  const std::vector<int64_t> a = drop_classes(classes, 3, 0.3, g1).to_vector<int64_t>();
  int64_t dropped = 0;
  for (int64_t i = 0; i < n; ++i) {
    dropped += a[i] == 3;
    ASSERT_TRUE(a[i] == 3 || a[i] == y[i]);
  }
  EXPECT_NEAR(static_cast<double>(dropped) / n, 0.3, 0.03);
  drop_classes(classes, 3, 0.0, g2);
  drop_classes(classes, 3, 1.0, g2);
  EXPECT_EQ(drop_classes(classes, 3, 0.3, g2).to_vector<int64_t>(), a);
  EXPECT_THROW(drop_classes(classes, 3, 1.5, g2), t::Error);
}

// A short class-conditional run on two components learns which is which: the
// conditional model (w = 1, forward_class) samples component k, the null class both.
TEST(ConditionalTraining, ShortRunLearnsTheClasses) {
  const GaussianMixture gmm = make_gaussian_mixture({{-1.5, 0.0}, {1.5, 0.0}}, {0.3, 0.3}, {0.5, 0.5});
  const Schedule sch = linear_schedule(1000);
  t::Generator init(3), data_gen(4), noise_gen(5), drop_gen(6);
  nn::MLP2DConfig config{2, 64, 16, 2};
  config.num_classes = 2;
  nn::MLP2D model(config, init);
  nn::AdamW opt(model.named_parameters(), nn::AdamWOptions{3e-3, 0.9, 0.999, 1e-8, 0.0});
  for (int step = 0; step < 300; ++step) {
    t::Tensor component;
    const t::Tensor x0 = sample_mixture(gmm, 128, data_gen, t::DType::Float32, &component);
    const Variable loss = diffusion_loss(model, sch, x0, noise_gen, {}, drop_classes(component, 2, 0.2, drop_gen));
    opt.zero_grad();
    loss.backward();
    opt.step();
  }
  model.eval();
  DdimSampler sampler{sch, even_timesteps(1000, 25), 0.0};
  double share_left = 0;  // of the last call's samples, the share with x < 0
  auto mean_x = [&](const EpsModel& eps) {
    const std::vector<float> v = sampler.sample(eps, {500, 2}, 9).to_vector<float>();
    double sum = 0;
    share_left = 0;
    for (size_t i = 0; i < v.size(); i += 2) {
      sum += v[i];
      share_left += (v[i] < 0) / 500.0;
    }
    return sum / 500;
  };
  for (int64_t k : {0, 1}) {
    const EpsModel eps = [&model, k](const Variable& x, const t::Tensor& label) {
      return model.forward_class(x, label, t::full({x.size(0)}, static_cast<double>(k), t::DType::Int64));
    };
    const double m = mean_x(eps);
    std::printf("  class %ld: mean x %.3f\n", static_cast<long>(k), m);
    EXPECT_NEAR(m, k == 0 ? -1.5 : 1.5, 0.3);
  }
  // The null class (20% of the labels, so the roughest of the three) draws from both components.
  mean_x(as_eps_model(model));
  EXPECT_GT(share_left, 0.15);
  EXPECT_LT(share_left, 0.85);
}
