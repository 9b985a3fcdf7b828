// Speed of the tensor layer's kernels (Google Benchmark): matmul through
// tensor::matmul next to a raw cblas_sgemm call (the overhead of our front-end
// and dispatch), conv2d forward and backward at the reference U-Net's shapes
// (batch 64; tests/fixtures/nn_torch_models.py), and memory-bound ops on
// 4M float32 elements; conv2d forward+backward at all 16 U-Net shapes and the
// fused GroupNorm+SiLU forward+backward (the cases bench/compare_torch runs
// against PyTorch). Timings only; correctness lives in tests/.
// Run: ./build/bin/tensor_bench --benchmark_min_time=0.2
// Results: docs/benchmarks.md. Shapes: N batch, C in, O out channels, H W size.
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <string>

#include "tensor/build_info.h"
#include "tensor/ops.h"
#include "tensor/random.h"

namespace t = tensor;

namespace {

// The build line (tensor::build_info()) in the run's context: the console
// header and the "context" of --benchmark_format=json.
const bool kBuildContext = (benchmark::AddCustomContext("diffuse", t::build_info()), true);

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
  // Our kernels hold OpenBLAS at one thread (Note [Threads]); this case is
  // OpenBLAS's own threaded sgemm, on as many threads as ours use.
  openblas_set_num_threads(t::get_num_threads());
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data<float>(), n, b.data<float>(), n, 0.0f,
                c.data<float>(), n);
    benchmark::ClobberMemory();
  }
  openblas_set_num_threads(1);
  set_flops(state, 2.0 * n * n * n);
}
BENCHMARK(BM_CblasSgemm)->Arg(256)->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime();

// The Winograd weight gradient's product for one image (Note [Winograd weight
// gradient] in tensor/cpu/conv_winograd.cpp) straight into single-threaded
// OpenBLAS, in its two forms: NN, Mt (C, O) += V (C, T) @ Ut (T, O), as the
// kernel calls it, and NT, M (O, C) += U (O, T) @ V (C, T)^T, as it did
// before. {O, C, T} of the U-Net's 3x3 convolutions at 28x28 (196 tiles) and
// 14x14 (49 tiles); argument 2 is 0 for NN, 1 for NT.
void BM_SgemmWeightGradForm(benchmark::State& state) {
  constexpr int kShapes[][3] = {{64, 64, 196}, {32, 96, 196}, {64, 128, 49}, {64, 64, 49}};
  const int O = kShapes[state.range(0)][0], C = kShapes[state.range(0)][1], T = kShapes[state.range(0)][2];
  const bool nt = state.range(1) == 1;
  const t::Tensor u = random_tensor({O, T}, 1), v = random_tensor({C, T}, 2), ut = random_tensor({T, O}, 3);
  t::Tensor m = t::zeros({O, C});
  for (auto _ : state) {
    if (nt)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, O, C, T, 1.0f, u.data<float>(), T, v.data<float>(), T, 1.0f,
                  m.data<float>(), C);
    else
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, C, O, T, 1.0f, v.data<float>(), T, ut.data<float>(), O,
                  1.0f, m.data<float>(), O);
    benchmark::ClobberMemory();
  }
  set_flops(state, 2.0 * O * C * T);
  state.SetLabel(std::string(nt ? "NT" : "NN") + " O " + std::to_string(O) + " C " + std::to_string(C) + " T " +
                 std::to_string(T));
}
BENCHMARK(BM_SgemmWeightGradForm)->ArgsProduct({{0, 1, 2, 3}, {0, 1}})->Unit(benchmark::kMicrosecond)->UseRealTime();

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
    // The other shapes of the U-Net (BM_Conv2dForwardBackward runs all 16).
    {32, 64, 14, 3, 1, 1},   // 6: d2.c1
    {32, 64, 14, 1, 1, 0},   // 7: d2.skip
    {64, 64, 14, 3, 2, 1},   // 8: down2, stride 2, 14 -> 7
    {64, 64, 7, 1, 1, 0},    // 9: attention out
    {128, 64, 14, 3, 1, 1},  // 10: u2.c1
    {128, 64, 14, 1, 1, 0},  // 11: u2.skip
    {64, 64, 28, 3, 1, 1},   // 12: up1
    {96, 32, 28, 3, 1, 1},   // 13: u1.c1
    {96, 32, 28, 1, 1, 0},   // 14: u1.skip
    {32, 1, 28, 3, 1, 1},    // 15: conv_out
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

// Forward, then both backward kernels: what one training step spends on a conv.
void BM_Conv2dForwardBackward(benchmark::State& state) {
  const ConvShape& s = kConvShapes[state.range(0)];
  const t::Tensor x = random_tensor({kBatch, s.C, s.H, s.H}, 1), w = random_tensor({s.O, s.C, s.K, s.K}, 2);
  const t::Tensor bias = random_tensor({s.O}, 3);
  for (auto _ : state) {
    const t::Tensor y = t::conv2d(x, w, bias, s.stride, s.padding);
    benchmark::DoNotOptimize(t::conv2d_backward_input(y, w, x.shape(), s.stride, s.padding));
    benchmark::DoNotOptimize(t::conv2d_backward_weight(y, x, w.shape(), s.stride, s.padding));
  }
  set_flops(state, 3 * conv_flops(s));
  conv_label(state, s);
}
BENCHMARK(BM_Conv2dForwardBackward)->DenseRange(0, 15)->Unit(benchmark::kMillisecond)->UseRealTime();

// ---------------------------------------------------------------- GroupNorm

// silu(group_norm(x)) forward and backward at the U-Net's largest activation
// (64, 32, 28, 28), 8 groups: the fused kernel pair a ResBlock runs.
void BM_GroupNormSiluForwardBackward(benchmark::State& state) {
  const t::Tensor x = random_tensor({kBatch, 32, 28, 28}, 1), g = random_tensor({kBatch, 32, 28, 28}, 2);
  const t::Tensor weight = random_tensor({32}, 3), bias = random_tensor({32}, 4);
  for (auto _ : state) {
    const t::GroupNormOutput y = t::group_norm(x, 8, weight, bias, 1e-5, /*silu=*/true);
    const t::GroupNormGrads grads = t::group_norm_backward(g, x, y.mean, y.rstd, weight, bias, 8, /*silu=*/true);
    benchmark::DoNotOptimize(grads.x.raw_data());
  }
  state.SetBytesProcessed(state.iterations() * x.numel() * 4 *
                          5);  // forward: read x, write y; backward: read x, g, write dx
}
BENCHMARK(BM_GroupNormSiluForwardBackward)->Unit(benchmark::kMillisecond)->UseRealTime();

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
