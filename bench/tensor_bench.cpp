// Speed of the tensor layer's kernels (Google Benchmark): matmul through
// tensor::matmul next to a raw cblas_sgemm call (the overhead of our front-end
// and dispatch), conv2d forward and backward at the reference U-Net's shapes
// (batch 64; /work/shared/reference/torch_models.py), and memory-bound ops on
// 4M float32 elements. Timings only; correctness lives in tests/.
// Run: ./build-a/bin/tensor_bench --benchmark_min_time=0.2
// Results: docs/benchmarks.md. Shapes: N batch, C in, O out channels, H W size.
#include <benchmark/benchmark.h>
#include <cblas.h>

#include "tensor/ops.h"
#include "tensor/random.h"

namespace t = tensor;

namespace {

// Reports FLOP/s (shown as G/s): `flops` per iteration, divided by the time.
// Every case uses real (wall-clock) time: the kernels run on several
// threads, and the default, the main thread's CPU time, would miss the others.
void set_flops(benchmark::State& state, double flops) {
  state.counters["FLOPS"] =
      benchmark::Counter(flops, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::OneK::kIs1000);
}

t::Tensor random_tensor(const t::Shape& shape, uint64_t seed = 0) {
  t::Generator gen(seed);
  return t::randn(shape, gen);
}

// ---------------------------------------------------------------- matmul

void BM_Matmul(benchmark::State& state) {
  const int64_t n = state.range(0);
  const t::Tensor a = random_tensor({n, n}, 1), b = random_tensor({n, n}, 2);
  for (auto _ : state) benchmark::DoNotOptimize(t::matmul(a, b));
  set_flops(state, 2.0 * n * n * n);
}
BENCHMARK(BM_Matmul)->Arg(256)->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same product straight into OpenBLAS, into a preallocated output.
void BM_CblasSgemm(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const t::Tensor a = random_tensor({n, n}, 1), b = random_tensor({n, n}, 2);
  t::Tensor c = t::zeros({n, n});
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data<float>(), n, b.data<float>(), n,
                0.0f, c.data<float>(), n);
    benchmark::ClobberMemory();
  }
  set_flops(state, 2.0 * n * n * n);
}
BENCHMARK(BM_CblasSgemm)->Arg(256)->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime();

// ---------------------------------------------------------------- conv2d

// The U-Net's convolutions at batch 64: {C, O, H, kernel, stride, padding}.
struct ConvShape {
  int64_t C, O, H, K, stride, padding;
};
const ConvShape kConvShapes[] = {
    {1, 32, 28, 3, 1, 1},   // 0: conv_in, 1 -> 32 at 28x28
    {32, 32, 28, 3, 1, 1},  // 1: ResBlock conv at 28x28
    {32, 32, 28, 3, 2, 1},  // 2: down1, stride 2, 28 -> 14
    {64, 64, 14, 3, 1, 1},  // 3: ResBlock conv at 14x14
    {64, 64, 7, 3, 1, 1},   // 4: ResBlock conv at 7x7
    {64, 192, 7, 1, 1, 0},  // 5: attention qkv, 1x1 at 7x7
};
constexpr int64_t kBatch = 64;

double conv_flops(const ConvShape& s) {
  const int64_t HO = (s.H + 2 * s.padding - s.K) / s.stride + 1;
  return 2.0 * kBatch * s.O * HO * HO * s.C * s.K * s.K;
}

void conv_label(benchmark::State& state, const ConvShape& s) {
  state.SetLabel(std::to_string(s.C) + "->" + std::to_string(s.O) + " " + std::to_string(s.K) + "x" +
                 std::to_string(s.K) + " s" + std::to_string(s.stride) + " at " + std::to_string(s.H) + "x" +
                 std::to_string(s.H));
}

void BM_Conv2dForward(benchmark::State& state) {
  const ConvShape& s = kConvShapes[state.range(0)];
  const t::Tensor x = random_tensor({kBatch, s.C, s.H, s.H}, 1), w = random_tensor({s.O, s.C, s.K, s.K}, 2);
  const t::Tensor bias = random_tensor({s.O}, 3);
  for (auto _ : state) benchmark::DoNotOptimize(t::conv2d(x, w, bias, s.stride, s.padding));
  set_flops(state, conv_flops(s));
  conv_label(state, s);
}
BENCHMARK(BM_Conv2dForward)->DenseRange(0, 5)->Unit(benchmark::kMillisecond)->UseRealTime();

// Both backward kernels, as one training step runs them.
void BM_Conv2dBackward(benchmark::State& state) {
  const ConvShape& s = kConvShapes[state.range(0)];
  const t::Tensor x = random_tensor({kBatch, s.C, s.H, s.H}, 1), w = random_tensor({s.O, s.C, s.K, s.K}, 2);
  const t::Tensor g = t::conv2d(x, w, {}, s.stride, s.padding);  // any tensor of the output's shape
  for (auto _ : state) {
    benchmark::DoNotOptimize(t::conv2d_backward_input(g, w, x.shape(), s.stride, s.padding));
    benchmark::DoNotOptimize(t::conv2d_backward_weight(g, x, w.shape(), s.stride, s.padding));
  }
  set_flops(state, 2 * conv_flops(s));
  conv_label(state, s);
}
BENCHMARK(BM_Conv2dBackward)->DenseRange(0, 5)->Unit(benchmark::kMillisecond)->UseRealTime();

// ---------------------------------------------------------------- memory-bound

constexpr int64_t kElements = 4 << 20;  // 4M float32 = 16 MB per tensor, well beyond the caches

void BM_Add(benchmark::State& state) {
  const t::Tensor a = random_tensor({kElements}, 1), b = random_tensor({kElements}, 2);
  for (auto _ : state) benchmark::DoNotOptimize(t::add(a, b));
  state.SetBytesProcessed(state.iterations() * kElements * 3 * 4);  // read a and b, write out
}
BENCHMARK(BM_Add)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Silu(benchmark::State& state) {
  const t::Tensor x = random_tensor({kElements}, 1);
  for (auto _ : state) benchmark::DoNotOptimize(t::silu(x));
  state.SetBytesProcessed(state.iterations() * kElements * 2 * 4);  // read x, write out
}
BENCHMARK(BM_Silu)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Sum(benchmark::State& state) {
  const t::Tensor x = random_tensor({kElements}, 1);
  for (auto _ : state) benchmark::DoNotOptimize(t::sum(x));
  state.SetBytesProcessed(state.iterations() * kElements * 4);
}
BENCHMARK(BM_Sum)->Unit(benchmark::kMillisecond)->UseRealTime();

// Sum over the channel and space dims of an (N, C, H, W) activation, keeping
// C: the bias gradient of a conv (a strided, many-output reduction).
void BM_SumKeepChannels(benchmark::State& state) {
  const t::Tensor x = random_tensor({64, 64, 32, 32}, 1);  // 4M elements
  for (auto _ : state) benchmark::DoNotOptimize(t::sum(x, {0, 2, 3}));
  state.SetBytesProcessed(state.iterations() * x.numel() * 4);
}
BENCHMARK(BM_SumKeepChannels)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
