// nn benchmarks, the same workloads as the PyTorch reference
// (tests/fixtures/nn_torch_models.py; commands in docs/benchmarks-nn.md):
//   MLP2D train step at batch 1024, UNet train step at batch 64 (1x28x28),
//   UNet forward under no_grad at batch 64.
// A train step is the reference's train_steps(): x0 ~ N(0, 1), t ~ U{0..999},
// x_t = sqrt(alpha_bar_t) x0 + sqrt(1 - alpha_bar_t) eps with the linear beta
// schedule, loss = mse(model(x_t, t), eps), backward, AdamW(lr 2e-4) step.
// Threads: 2, as the reference is run (--threads 2); DIFFUSE_BENCH_THREADS=n
// overrides (1 gives a CPU-time comparison that other load on the machine
// barely disturbs; see docs/benchmarks-nn.md).
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "autograd/ops.h"
#include "nn/nn.h"
#include "nn/optim/adam.h"
#include "tensor/ops.h"
#include "tensor/random.h"

namespace {

namespace t = tensor;
namespace ag = autograd;

constexpr int64_t kT = 1000;

void set_bench_threads() {
  const char* env = std::getenv("DIFFUSE_BENCH_THREADS");
  t::set_num_threads(env ? std::atoi(env) : 2);
}

// alpha_bar_t = prod_{s <= t} (1 - beta_s), beta linear from 1e-4 to 0.02.
t::Tensor linear_alpha_bar() {
  std::vector<double> ab(kT);
  double prod = 1.0;
  for (int64_t i = 0; i < kT; ++i) {
    const double beta = 1e-4 + (0.02 - 1e-4) * static_cast<double>(i) / static_cast<double>(kT - 1);
    prod *= 1.0 - beta;
    ab[i] = prod;
  }
  return t::from_vector(ab, {kT});
}

// One training step of `model` on a batch of shape x_shape.
double train_step(nn::TimestepModel& model, nn::Optimizer& opt, const t::Shape& x_shape, const t::Tensor& alpha_bar,
                  t::Generator& gen) {
  const int64_t n = x_shape[0];
  t::Tensor x0 = t::randn(x_shape, gen);
  t::Tensor steps = t::randint(0, kT, {n}, gen);
  t::Tensor eps = t::randn(x_shape, gen);
  t::Shape a_shape(x_shape.size(), 1);
  a_shape[0] = n;
  t::Tensor a = t::index_select(alpha_bar, 0, steps).reshape(a_shape);
  t::Tensor xt = t::add(t::mul(t::sqrt(a), x0), t::mul(t::sqrt(t::sub(t::ones_like(a), a)), eps));
  ag::Variable pred = model(ag::Variable(xt), steps.to(t::DType::Float32));
  ag::Variable loss = ag::mean(ag::square(ag::sub(pred, ag::Variable(eps))));
  opt.zero_grad();
  loss.backward();
  opt.step();
  return loss.item();
}

void BM_MLP2DTrainStep(benchmark::State& state) {
  set_bench_threads();
  t::Generator gen(0);
  nn::MLP2D model(nn::MLP2DConfig{}, gen);
  nn::AdamWOptions o;
  o.lr = 2e-4;
  nn::AdamW opt(model.named_parameters(), o);
  const t::Tensor ab = linear_alpha_bar();
  for (auto _ : state) benchmark::DoNotOptimize(train_step(model, opt, {1024, 2}, ab, gen));
}
BENCHMARK(BM_MLP2DTrainStep)->Unit(benchmark::kMillisecond);

void BM_UNetTrainStep(benchmark::State& state) {
  set_bench_threads();
  t::Generator gen(0);
  nn::UNet model(nn::UNetConfig{}, gen);
  nn::AdamWOptions o;
  o.lr = 2e-4;
  nn::AdamW opt(model.named_parameters(), o);
  const t::Tensor ab = linear_alpha_bar();
  for (auto _ : state) benchmark::DoNotOptimize(train_step(model, opt, {64, 1, 28, 28}, ab, gen));
}
BENCHMARK(BM_UNetTrainStep)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_UNetForwardNoGrad(benchmark::State& state) {
  set_bench_threads();
  t::Generator gen(0);
  nn::UNet model(nn::UNetConfig{}, gen);
  model.eval();
  const t::Tensor x = t::randn({64, 1, 28, 28}, gen);
  const t::Tensor steps = t::full({64}, 500.0);
  ag::NoGradGuard no_grad;
  for (auto _ : state) benchmark::DoNotOptimize(model(ag::Variable(x), steps).data());
}
BENCHMARK(BM_UNetForwardNoGrad)->Unit(benchmark::kMillisecond)->MinTime(1.0);

}  // namespace
