// CUDA benchmarks (built only with the CUDA backend): the kernels the U-Net
// spends its time in, at the U-Net's shapes (batch 64, 1x28x28, channels 32
// and 64, GroupNorm with 8 groups), and whole training steps, the workloads of
// bench/torch_gpu_bench.py. Counters: FLOP/s for GEMMs and convolutions;
// bytes/s for the memory-bound kernels (GroupNorm, elementwise), counting each
// tensor read or written once, so the fraction of the GPU's memory bandwidth
// (an H200's: about 4.3 TB/s) can be read off.
// Every timed iteration ends with tensor::synchronize(Device::CUDA): a time
// is the work's, not its launch's.
//   ./build/bin/cuda_bench --benchmark_out=cuda.json --benchmark_out_format=json
#include <benchmark/benchmark.h>

#include "autograd/ops.h"
#include "nn/nn.h"
#include "nn/optim/adam.h"
#include "tensor/device.h"
#include "tensor/ops.h"
#include "tensor/random.h"

namespace {

namespace t = tensor;
namespace ag = autograd;
using t::Device;

constexpr int64_t kT = 1000;

void sync() { t::synchronize(Device::CUDA); }

// Skips the case (with the reason) on a machine without a GPU.
bool require_cuda(benchmark::State& state) {
  if (t::cuda_available()) return true;
  state.SkipWithError("no CUDA device");
  return false;
}

t::Tensor cuda_randn(const t::Shape& shape, uint64_t seed) {
  t::Generator gen(seed);
  return t::randn(shape, gen).to(Device::CUDA);
}

void set_bytes_per_second(benchmark::State& state, double bytes_per_iteration) {
  state.counters["bytes_per_second"] = benchmark::Counter(
      bytes_per_iteration, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
}
void set_flops(benchmark::State& state, double flops_per_iteration) {
  state.counters["flops"] = benchmark::Counter(flops_per_iteration, benchmark::Counter::kIsIterationInvariantRate,
                                               benchmark::Counter::kIs1000);
}

// ---- GEMM ----

void BM_CudaMatmul(benchmark::State& state) {
  if (!require_cuda(state)) return;
  const int64_t n = state.range(0);
  const t::Tensor a = cuda_randn({n, n}, 1), b = cuda_randn({n, n}, 2);
  for (auto _ : state) {
    benchmark::DoNotOptimize(t::matmul(a, b));
    sync();
  }
  set_flops(state, 2.0 * n * n * n);
}
BENCHMARK(BM_CudaMatmul)->Arg(256)->Arg(1024)->Arg(4096)->Unit(benchmark::kMicrosecond);

// ---- conv2d at the U-Net's shapes: (C, H=W, stride) with O = C, 3x3, padding 1, batch 64 ----

struct ConvShape {
  int64_t C, HW, stride;
};
ConvShape conv_shape(const benchmark::State& state) { return {state.range(0), state.range(1), state.range(2)}; }
double conv_flops(const ConvShape& s, int64_t N) {
  const int64_t out_hw = (s.HW + 2 - 3) / s.stride + 1;
  return 2.0 * N * s.C * out_hw * out_hw * s.C * 9;
}

void BM_CudaConv2dForward(benchmark::State& state) {
  if (!require_cuda(state)) return;
  const ConvShape s = conv_shape(state);
  const t::Tensor x = cuda_randn({64, s.C, s.HW, s.HW}, 3), w = cuda_randn({s.C, s.C, 3, 3}, 4),
                  b = cuda_randn({s.C}, 5);
  for (auto _ : state) {
    benchmark::DoNotOptimize(t::conv2d(x, w, b, s.stride, 1));
    sync();
  }
  set_flops(state, conv_flops(s, 64));
}

// The two backward kernels of one convolution, as autograd runs them.
void BM_CudaConv2dBackward(benchmark::State& state) {
  if (!require_cuda(state)) return;
  const ConvShape s = conv_shape(state);
  const t::Tensor x = cuda_randn({64, s.C, s.HW, s.HW}, 3), w = cuda_randn({s.C, s.C, 3, 3}, 4);
  const t::Tensor g = t::conv2d(x, w, t::Tensor(), s.stride, 1);
  for (auto _ : state) {
    benchmark::DoNotOptimize(t::conv2d_backward_input(g, w, x.shape(), s.stride, 1));
    benchmark::DoNotOptimize(t::conv2d_backward_weight(g, x, w.shape(), s.stride, 1));
    sync();
  }
  set_flops(state, 2 * conv_flops(s, 64));
}
#define UNET_CONV_SHAPES(bm) \
  BENCHMARK(bm)              \
      ->Args({32, 28, 1})    \
      ->Args({32, 28, 2})    \
      ->Args({64, 14, 1})    \
      ->Args({64, 7, 1})     \
      ->Unit(benchmark::kMicrosecond)
UNET_CONV_SHAPES(BM_CudaConv2dForward);
UNET_CONV_SHAPES(BM_CudaConv2dBackward);

// ---- GroupNorm + SiLU, (64, C, HW, HW), 8 groups ----

void BM_CudaGroupNormSiluForward(benchmark::State& state) {
  if (!require_cuda(state)) return;
  const int64_t C = state.range(0), HW = state.range(1);
  const t::Tensor x = cuda_randn({64, C, HW, HW}, 6), w = cuda_randn({C}, 7), b = cuda_randn({C}, 8);
  for (auto _ : state) {
    benchmark::DoNotOptimize(t::group_norm(x, 8, w, b, 1e-5, true));
    sync();
  }
  set_bytes_per_second(state, 2.0 * x.numel() * 4);  // read x, write out
}

void BM_CudaGroupNormSiluBackward(benchmark::State& state) {
  if (!require_cuda(state)) return;
  const int64_t C = state.range(0), HW = state.range(1);
  const t::Tensor x = cuda_randn({64, C, HW, HW}, 6), w = cuda_randn({C}, 7), b = cuda_randn({C}, 8);
  const t::Tensor g = cuda_randn({64, C, HW, HW}, 9);
  const t::GroupNormOutput f = t::group_norm(x, 8, w, b, 1e-5, true);
  for (auto _ : state) {
    benchmark::DoNotOptimize(t::group_norm_backward(g, x, f.mean, f.rstd, w, b, 8, true));
    sync();
  }
  set_bytes_per_second(state, 3.0 * x.numel() * 4);  // read x and grad_out, write grad_x
}
BENCHMARK(BM_CudaGroupNormSiluForward)->Args({32, 28})->Args({64, 14})->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CudaGroupNormSiluBackward)->Args({32, 28})->Args({64, 14})->Unit(benchmark::kMicrosecond);

// ---- elementwise on 4M floats ----

constexpr int64_t kElementwiseSize = int64_t(1) << 22;

void BM_CudaAdd(benchmark::State& state) {
  if (!require_cuda(state)) return;
  const t::Tensor a = cuda_randn({kElementwiseSize}, 10), b = cuda_randn({kElementwiseSize}, 11);
  for (auto _ : state) {
    benchmark::DoNotOptimize(t::add(a, b));
    sync();
  }
  set_bytes_per_second(state, 3.0 * kElementwiseSize * 4);
}
BENCHMARK(BM_CudaAdd)->Unit(benchmark::kMicrosecond);

void BM_CudaSilu(benchmark::State& state) {
  if (!require_cuda(state)) return;
  const t::Tensor a = cuda_randn({kElementwiseSize}, 12);
  for (auto _ : state) {
    benchmark::DoNotOptimize(t::silu(a));
    sync();
  }
  set_bytes_per_second(state, 2.0 * kElementwiseSize * 4);
}
BENCHMARK(BM_CudaSilu)->Unit(benchmark::kMicrosecond);

// ---- whole models on CUDA: the training step of bench/nn_bench.cpp ----

// alpha_bar_t for the linear beta schedule from 1e-4 to 0.02 (as nn_bench.cpp).
t::Tensor linear_alpha_bar() {
  std::vector<double> ab(kT);
  double prod = 1.0;
  for (int64_t i = 0; i < kT; ++i) {
    prod *= 1.0 - (1e-4 + (0.02 - 1e-4) * static_cast<double>(i) / static_cast<double>(kT - 1));
    ab[i] = prod;
  }
  return t::from_vector(ab, {kT});
}

// x_t = sqrt(alpha_bar_t) x0 + sqrt(1 - alpha_bar_t) eps; loss = mse(model(x_t, t), eps); AdamW step.
template <typename Model>
void train_step(Model& model, nn::Optimizer& opt, const t::Shape& x_shape, const t::Tensor& alpha_bar,
                t::Generator& gen) {
  const int64_t n = x_shape[0];
  const t::Tensor x0 = t::randn(x_shape, gen, t::DType::Float32, Device::CUDA);
  const t::Tensor steps = t::randint(0, kT, {n}, gen, Device::CUDA);
  const t::Tensor eps = t::randn(x_shape, gen, t::DType::Float32, Device::CUDA);
  t::Shape a_shape(x_shape.size(), 1);
  a_shape[0] = n;
  const t::Tensor a = t::index_select(alpha_bar, 0, steps).reshape(a_shape);
  const t::Tensor xt = t::add(t::mul(t::sqrt(a), x0), t::mul(t::sqrt(t::sub(t::ones_like(a), a)), eps));
  ag::Variable pred = model(ag::Variable(xt), steps.to(t::DType::Float32));
  ag::Variable loss = ag::mean(ag::square(ag::sub(pred, ag::Variable(eps))));
  opt.zero_grad();
  loss.backward();
  opt.step();
}

// Builds a Model on CUDA and runs body(model, gen), reporting an error
// instead of a time when the library throws.
template <typename Model, typename Config, typename Body>
void with_model_on_cuda(benchmark::State& state, Body&& body) {
  if (!require_cuda(state)) return;
  try {
    t::Generator gen(0);
    Model model(Config{}, gen);
    model.to(Device::CUDA);
    body(model, gen);
  } catch (const t::Error& e) {
    state.SkipWithError(e.what());
  }
}

template <typename Model, typename Config>
void run_train_step(benchmark::State& state, const t::Shape& x_shape) {
  with_model_on_cuda<Model, Config>(state, [&](Model& model, t::Generator& gen) {
    nn::AdamWOptions o;
    o.lr = 2e-4;
    nn::AdamW opt(model.named_parameters(), o);  // after the move: its state lives beside the parameters
    const t::Tensor ab = linear_alpha_bar().to(Device::CUDA);
    train_step(model, opt, x_shape, ab, gen);  // warm-up: the allocator's cache fills
    sync();
    for (auto _ : state) {
      train_step(model, opt, x_shape, ab, gen);
      sync();
    }
  });
}

void BM_CudaUNetTrainStep(benchmark::State& state) { run_train_step<nn::UNet, nn::UNetConfig>(state, {64, 1, 28, 28}); }
BENCHMARK(BM_CudaUNetTrainStep)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_CudaMLP2DTrainStep(benchmark::State& state) { run_train_step<nn::MLP2D, nn::MLP2DConfig>(state, {1024, 2}); }
BENCHMARK(BM_CudaMLP2DTrainStep)->Unit(benchmark::kMillisecond)->MinTime(1.0);

void BM_CudaUNetForwardNoGrad(benchmark::State& state) {
  with_model_on_cuda<nn::UNet, nn::UNetConfig>(state, [&](auto& model, t::Generator& gen) {
    model.eval();
    const t::Tensor x = t::randn({64, 1, 28, 28}, gen, t::DType::Float32, Device::CUDA);
    const t::Tensor steps = t::full({64}, 500.0, t::DType::Float32, Device::CUDA);
    ag::NoGradGuard no_grad;
    for (auto _ : state) {
      benchmark::DoNotOptimize(model(ag::Variable(x), steps).data());
      sync();
    }
  });
}
BENCHMARK(BM_CudaUNetForwardNoGrad)->Unit(benchmark::kMillisecond)->MinTime(1.0);

}  // namespace
