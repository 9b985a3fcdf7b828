// Every copy of the vectorizable kernels this CPU can run (baseline, AVX2,
// AVX-512: Note [Kernels per instruction set] in tensor/cpu/isa.h) gives the
// baseline's bits, for each op on float32 and float64, on lengths that are
// no multiple of any vector width, contiguous and broadcast.
#include "tensor/cpu/isa.h"

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <limits>

#include "tensor/ops.h"
#include "tensor/random.h"

using namespace tensor;

namespace {

// Restores the copy the process started with, whatever a test chose.
struct IsaGuard {
  cpu::Isa saved = cpu::kernel_isa();
  ~IsaGuard() { cpu::set_kernel_isa(saved); }
};

std::vector<unsigned char> bytes(const Tensor& t) {
  const Tensor c = t.contiguous();
  const bool f64 = c.dtype() == DType::Float64;
  std::vector<unsigned char> out(c.numel() * (f64 ? 8 : 4));
  std::memcpy(out.data(), f64 ? static_cast<const void*>(c.data<double>()) : c.data<float>(), out.size());
  return out;
}

// The outputs of `ops` under every available copy, compared with the baseline's.
void expect_same_bits_in_every_copy(const std::vector<std::pair<std::string, std::function<Tensor()>>>& ops) {
  IsaGuard guard;
  cpu::set_kernel_isa(cpu::Isa::Baseline);
  std::vector<std::vector<unsigned char>> want;
  for (const auto& [name, op] : ops) want.push_back(bytes(op()));
  for (cpu::Isa isa : cpu::available_isas()) {
    cpu::set_kernel_isa(isa);
    for (size_t i = 0; i < ops.size(); ++i)
      EXPECT_TRUE(bytes(ops[i].second()) == want[i]) << ops[i].first << " under " << cpu::isa_name(isa);
  }
}

Tensor test_input(DType dtype, const Shape& shape, uint64_t seed) {
  Generator gen(seed);
  return mul(randn(shape, gen, dtype), 4.0);
}

}  // namespace

TEST(KernelIsa, BaselineIsAlwaysThereAndListedFirst) {
  const std::vector<cpu::Isa> isas = cpu::available_isas();
  ASSERT_FALSE(isas.empty());
  EXPECT_EQ(isas.front(), cpu::Isa::Baseline);
  EXPECT_NE(std::find(isas.begin(), isas.end(), cpu::kernel_isa()), isas.end());
}

TEST(KernelIsa, ElementwiseOpsGiveTheBaselinesBitsInEveryCopy) {
  if (cpu::available_isas().size() < 2) GTEST_SKIP() << "this build or CPU has only the baseline kernels";
  for (DType dtype : {DType::Float32, DType::Float64}) {
    const Tensor x = test_input(dtype, {1037}, 1), y = add(abs(test_input(dtype, {1037}, 2)), 0.5);
    const Tensor row = test_input(dtype, {1, 29}, 3), grid = test_input(dtype, {31, 29}, 4);
    const Tensor cond = gt(x, scalar(0.0, dtype));
    std::vector<std::pair<std::string, std::function<Tensor()>>> ops = {
        {"exp", [&] { return exp(x); }},
        {"log", [&] { return log(y); }},
        {"sqrt", [&] { return sqrt(y); }},
        {"rsqrt", [&] { return rsqrt(y); }},
        {"tanh", [&] { return tanh(x); }},
        {"sigmoid", [&] { return sigmoid(x); }},
        {"silu", [&] { return silu(x); }},
        {"silu_backward", [&] { return silu_backward(y, x); }},
        {"gelu", [&] { return gelu(x); }},
        {"gelu_grad", [&] { return gelu_grad(x); }},
        {"relu", [&] { return relu(x); }},
        {"clamp", [&] { return clamp(x, -1.5, 2.5); }},
        {"square", [&] { return square(x); }},
        {"reciprocal", [&] { return reciprocal(y); }},
        {"pow", [&] { return pow(y, 1.7); }},
        {"add", [&] { return add(x, y); }},
        {"mul", [&] { return mul(x, y); }},
        {"div", [&] { return div(x, y); }},
        {"maximum", [&] { return maximum(x, y); }},
        {"lt", [&] { return lt(x, y); }},
        {"row broadcast", [&] { return mul(grid, row); }},
        {"scalar broadcast", [&] { return sub(scalar(3.0, dtype), grid); }},
        {"strided", [&] { return add(grid.transpose(0, 1), grid.transpose(0, 1)); }},
        {"where", [&] { return where(cond, x, y); }}};
    expect_same_bits_in_every_copy(ops);
  }
}

TEST(KernelIsa, GroupNormGivesTheBaselinesBitsInEveryCopy) {
  if (cpu::available_isas().size() < 2) GTEST_SKIP() << "this build or CPU has only the baseline kernels";
  for (DType dtype : {DType::Float32, DType::Float64}) {
    // 6 channels per group of 5x7 positions: runs of 210 and 35, no multiple of 16.
    const Tensor x = test_input(dtype, {3, 12, 5, 7}, 5), grad_out = test_input(dtype, {3, 12, 5, 7}, 6);
    const Tensor weight = test_input(dtype, {12}, 7), bias = test_input(dtype, {12}, 8);
    for (bool silu : {false, true}) {
      std::vector<std::pair<std::string, std::function<Tensor()>>> ops;
      for (int part = 0; part < 5; ++part) {
        ops.push_back({"group_norm part " + std::to_string(part) + (silu ? " with silu" : ""), [=] {
                         const GroupNormOutput f = group_norm(x, 2, weight, bias, 1e-5, silu);
                         if (part == 0) return f.out;
                         if (part == 1) return f.mean;
                         const GroupNormGrads g =
                             group_norm_backward(grad_out, x, f.mean, f.rstd, weight, bias, 2, silu);
                         return part == 2 ? g.x : part == 3 ? g.weight : g.bias;
                       }});
      }
      expect_same_bits_in_every_copy(ops);
    }
  }
}

TEST(KernelIsa, AdamStepGivesTheBaselinesBitsInEveryCopy) {
  if (cpu::available_isas().size() < 2) GTEST_SKIP() << "this build or CPU has only the baseline kernels";
  for (bool decoupled : {true, false}) {
    std::vector<std::pair<std::string, std::function<Tensor()>>> ops = {
        {"adam", [=] {
           Tensor param = test_input(DType::Float32, {1037}, 9), grad = test_input(DType::Float32, {1037}, 10);
           Tensor m = zeros_like(param), v = zeros_like(param);
           for (int64_t step = 1; step <= 3; ++step)
             adam_step_(param, grad, m, v, AdamStepParams{1e-3, 0.9, 0.999, 1e-8, 0.01, step, decoupled});
           return param;
         }}};
    expect_same_bits_in_every_copy(ops);
  }
}

TEST(KernelIsa, ChoosingACopyTheCpuLacksIsAnError) {
  const std::vector<cpu::Isa> isas = cpu::available_isas();
  for (cpu::Isa isa : {cpu::Isa::Avx2, cpu::Isa::Avx512}) {
    if (std::find(isas.begin(), isas.end(), isa) != isas.end()) continue;
    EXPECT_THROW(cpu::set_kernel_isa(isa), Error) << cpu::isa_name(isa);
  }
  if (isas.size() == 3) GTEST_SKIP() << "this CPU has every copy: nothing to refuse";
}
