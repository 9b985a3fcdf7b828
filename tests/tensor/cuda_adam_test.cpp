// The CUDA adam_step kernel against the AdamW / Adam update written out as a
// plain loop below (the CPU Adam loop's arithmetic, step for step), over 10
// steps, float32 and float64, with decoupled decay, with the L2 term and with
// no decay. Tolerance: the two may differ only where a compiler fuses a
// multiply-add, a rounding or two per step: float32 4e-6 relative (+1e-8),
// float64 1e-14.
#include <gtest/gtest.h>

#include <cmath>

#include "cuda_compare.h"
#include "tensor/ops.h"
#include "tensor/random.h"
#ifdef DIFFUSE_WITH_CUDA
#include "tensor/cuda/kernels.h"
#endif

using namespace tensor;
using tensor_test::expect_close;

namespace {
Tensor on_cuda(const Tensor& t) { return t.to(Device::CUDA); }

// One step on host vectors, in T, in the CPU loop's order.
template <typename T>
void reference_step(std::vector<T>& p, const std::vector<T>& g, std::vector<T>& m, std::vector<T>& v,
                    const AdamStepParams& o) {
  const double bias_correction1 = 1.0 - std::pow(o.beta1, static_cast<double>(o.step));
  const double bias_correction2 = 1.0 - std::pow(o.beta2, static_cast<double>(o.step));
  const T decay = static_cast<T>(1.0 - o.lr * o.weight_decay), wd = static_cast<T>(o.weight_decay);
  const T beta1 = static_cast<T>(o.beta1), one_minus_beta1 = static_cast<T>(1.0 - o.beta1);
  const T beta2 = static_cast<T>(o.beta2), one_minus_beta2 = static_cast<T>(1.0 - o.beta2);
  const T neg_step_size = static_cast<T>(-(o.lr / bias_correction1));
  const T bc2_sqrt = static_cast<T>(std::sqrt(bias_correction2)), eps = static_cast<T>(o.eps);
  for (size_t i = 0; i < p.size(); ++i) {
    T grad = g[i];
    if (o.decoupled)
      p[i] = p[i] * decay;
    else if (o.weight_decay != 0)
      grad = grad + wd * p[i];
    m[i] = m[i] * beta1 + one_minus_beta1 * grad;
    v[i] = v[i] * beta2 + one_minus_beta2 * grad * grad;
    const T denom = std::sqrt(v[i]) / bc2_sqrt + eps;
    p[i] = p[i] + neg_step_size * (m[i] / denom);
  }
}

template <typename T>
void expect_adam_matches(DType dt, double weight_decay, bool decoupled) {
#ifdef DIFFUSE_WITH_CUDA
  Generator gen(1000);
  const Shape shape{3, 1000};
  const Tensor p0 = randn(shape, gen, dt);
  Tensor p = on_cuda(p0), m = on_cuda(zeros(shape, dt)), v = on_cuda(zeros(shape, dt));
  std::vector<T> rp = p0.to_vector<T>(), rm(rp.size(), T(0)), rv(rp.size(), T(0));
  for (int64_t step = 1; step <= 10; ++step) {
    const Tensor g = randn(shape, gen, dt);
    const AdamStepParams o{1e-2, 0.9, 0.999, 1e-8, weight_decay, step, decoupled};
    cuda::adam_step(p, on_cuda(g), m, v, o);
    reference_step<T>(rp, g.to_vector<T>(), rm, rv, o);
  }
  const double rtol = dt == DType::Float32 ? 4e-6 : 1e-14, atol = dt == DType::Float32 ? 1e-8 : 1e-16;
  const auto as_tensor = [&](const std::vector<T>& values) { return from_vector(values, shape, dt); };
  expect_close(p, as_tensor(rp), rtol, atol,
               (::testing::Message() << "param, weight_decay " << weight_decay).GetString());
  expect_close(m, as_tensor(rm), rtol, atol, (::testing::Message() << "exp_avg").GetString());
  expect_close(v, as_tensor(rv), rtol, atol, (::testing::Message() << "exp_avg_sq").GetString());
#endif
}

TEST(CudaAdamStep, AdamWMatchesTheCpuArithmetic) {
  SKIP_WITHOUT_CUDA();
  expect_adam_matches<float>(DType::Float32, 1e-2, true);
  expect_adam_matches<double>(DType::Float64, 1e-2, true);
}

TEST(CudaAdamStep, AdamWithL2AndWithoutDecay) {
  SKIP_WITHOUT_CUDA();
  expect_adam_matches<float>(DType::Float32, 1e-2, false);
  expect_adam_matches<double>(DType::Float64, 1e-2, false);
  expect_adam_matches<float>(DType::Float32, 0.0, false);
}

}  // namespace
