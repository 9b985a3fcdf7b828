// Sampler step benchmarks: the time of one reverse step (model forward under
// no_grad, then the step formula) for DDIM (docs/math.md (3.2)) and ancestral DDPM
// (2.5), with MLP2D at batch 1024 (2-D points) and the reference UNet at
// batch 64 (1x28x28), and with the Gaussian-mixture oracle at batch 4096.
// bench/torch_sampler_step.py times the same steps in PyTorch; results and
// commands are in docs/benchmarks-diffusion.md. Threads: 2, or
// OMP_NUM_THREADS when it is set (to compare with torch --threads N).
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "diffusion/ddim.h"
#include "diffusion/ddpm.h"
#include "diffusion/oracle.h"
#include "nn/models/mlp2d.h"
#include "nn/models/unet.h"
#include "tensor/ops.h"
#include "tensor/random.h"

namespace {

namespace t = tensor;
using namespace diffusion;

// A mid-chain jump t -> s of a 50-step even sub-sequence (the cost does not depend on t).
constexpr int64_t kStep = 510;
constexpr int64_t kPrev = 490;

// One sampler step, timed as sampling runs it: eps from the model, noise, the update.
template <typename Sampler>
void run_steps(benchmark::State& state, const Sampler& sampler, const EpsModel& model, const t::Shape& shape) {
  if (std::getenv("OMP_NUM_THREADS") == nullptr) t::set_num_threads(2);
  t::Generator gen(0);
  t::Tensor x = t::randn(shape, gen);
  for (auto _ : state) {
    const t::Tensor eps = predict_eps(model, x, kStep);
    const t::Tensor z = t::randn(shape, gen);
    benchmark::DoNotOptimize(sampler.step(x, eps, kStep, kPrev, z).raw_data());
  }
  state.SetItemsProcessed(state.iterations() * shape[0]);
}

const Schedule& schedule() {
  static const Schedule s = linear_schedule(1000);
  return s;
}

DdimSampler ddim() { return DdimSampler{schedule(), even_timesteps(1000, 50), 0.0}; }
AncestralSampler ancestral() { return AncestralSampler{schedule(), even_timesteps(1000, 50), AncestralVariance::Beta}; }

void BM_DdimStep_MLP2D(benchmark::State& state) {
  t::Generator init(0);
  nn::MLP2D model(nn::MLP2DConfig{}, init);
  model.eval();
  run_steps(state, ddim(), as_eps_model(model), {1024, 2});
}
BENCHMARK(BM_DdimStep_MLP2D)->Unit(benchmark::kMillisecond);

void BM_AncestralStep_MLP2D(benchmark::State& state) {
  t::Generator init(0);
  nn::MLP2D model(nn::MLP2DConfig{}, init);
  model.eval();
  run_steps(state, ancestral(), as_eps_model(model), {1024, 2});
}
BENCHMARK(BM_AncestralStep_MLP2D)->Unit(benchmark::kMillisecond);

void BM_DdimStep_UNet(benchmark::State& state) {
  t::Generator init(0);
  nn::UNet model(nn::UNetConfig{}, init);
  model.eval();
  run_steps(state, ddim(), as_eps_model(model), {64, 1, 28, 28});
}
BENCHMARK(BM_DdimStep_UNet)->Unit(benchmark::kMillisecond)->MinTime(1.0);

void BM_AncestralStep_UNet(benchmark::State& state) {
  t::Generator init(0);
  nn::UNet model(nn::UNetConfig{}, init);
  model.eval();
  run_steps(state, ancestral(), as_eps_model(model), {64, 1, 28, 28});
}
BENCHMARK(BM_AncestralStep_UNet)->Unit(benchmark::kMillisecond)->MinTime(1.0);

// The oracle of the sampler tests (3 components, 2-D): what a test step costs.
void BM_DdimStep_Oracle(benchmark::State& state) {
  const GaussianMixture gmm =
      make_gaussian_mixture({{-1.5, 0.0}, {1.5, 0.5}, {0.0, 1.8}}, {0.15, 0.1, 0.2}, {0.5, 0.3, 0.2});
  run_steps(state, ddim(), gmm_eps_model(gmm, ddpm_kernel(schedule())), {4096, 2});
}
BENCHMARK(BM_DdimStep_Oracle)->Unit(benchmark::kMillisecond);

// A whole DDIM-50 sampling run (eta = 0) of range(0) U-Net images, from noise
// to x_0: 50 forwards at that batch. bench/compare_torch runs /64 by default
// and /256 with --full-sampling (about 4x longer).
void BM_DdimSample50_UNet(benchmark::State& state) {
  if (std::getenv("OMP_NUM_THREADS") == nullptr) t::set_num_threads(2);
  t::Generator init(0);
  nn::UNet model(nn::UNetConfig{}, init);
  model.eval();
  const DdimSampler sampler = ddim();
  const EpsModel eps_model = as_eps_model(model);
  for (auto _ : state) benchmark::DoNotOptimize(sampler.sample(eps_model, {state.range(0), 1, 28, 28}, 0).raw_data());
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_DdimSample50_UNet)->Arg(64)->Arg(256)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace
