// Autograd on CUDA tensors, float64: a graph of elementwise ops, reductions
// and softmax runs forward and backward on the GPU; its gradients equal the
// CPU's (which tests/autograd/gradcheck_*_test.cpp check against finite
// differences) and pass a directional finite-difference check on the GPU
// itself. Skipped without a GPU.
#include <gtest/gtest.h>

#include <cmath>

#include "autograd/ops.h"
#include "tensor/random.h"

using namespace autograd;

namespace {

// A scalar function of two (4, 6) inputs that touches every kernel written
// for CUDA so far: unary (gelu, exp, tanh), binary with broadcast, where via
// maximum, reductions over dims, softmax and log-softmax.
Variable f(const Variable& x, const Variable& y) {
  const Variable h = add(mul(gelu(x), y), tanh(narrow(y, 0, 0, 1)));  // (4, 6) with a broadcast row
  const Variable p = softmax(h, -1);
  const Variable q = log_softmax(mul(x, 0.5), 0);
  const Variable m = maximum(exp(mul(x, 0.3)), sigmoid(y));
  return add(sum(mul(p, q)), mean(square(sum(m, {1}))));
}

double value_at(const Tensor& x, const Tensor& y) { return f(Variable(x), Variable(y)).item(); }

}  // namespace

TEST(CudaAutograd, GradientsEqualTheCpusAndFiniteDifferences) {
  if (!tensor::cuda_available()) GTEST_SKIP() << "no CUDA device";
  tensor::Generator gen(31);
  const Tensor x = tensor::randn({4, 6}, gen, DType::Float64), y = tensor::randn({4, 6}, gen, DType::Float64);
  Variable xc(x.to(Device::CUDA), true), yc(y.to(Device::CUDA), true), xh(x, true), yh(y, true);
  f(xc, yc).backward();
  f(xh, yh).backward();
  ASSERT_EQ(xc.grad().device(), Device::CUDA);
  const std::vector<double> gx = xc.grad().to_vector<double>(), gy = yc.grad().to_vector<double>();
  const std::vector<double> hx = xh.grad().to_vector<double>(), hy = yh.grad().to_vector<double>();
  for (size_t i = 0; i < gx.size(); ++i) {
    EXPECT_NEAR(gx[i], hx[i], 1e-12 * (1 + std::abs(hx[i]))) << "d/dx " << i;
    EXPECT_NEAR(gy[i], hy[i], 1e-12 * (1 + std::abs(hy[i]))) << "d/dy " << i;
  }
  // Along a random direction (u, v): (f(x + h u, y + h v) - f(x - h u, y - h v)) / 2h = grad . (u, v), all on the GPU.
  const Tensor u = tensor::randn({4, 6}, gen, DType::Float64).to(Device::CUDA);
  const Tensor v = tensor::randn({4, 6}, gen, DType::Float64).to(Device::CUDA);
  const double h = 1e-6;
  const double numeric =
      (value_at(tensor::add(xc.data(), tensor::mul(u, h)), tensor::add(yc.data(), tensor::mul(v, h))) -
       value_at(tensor::sub(xc.data(), tensor::mul(u, h)), tensor::sub(yc.data(), tensor::mul(v, h)))) /
      (2 * h);
  const double analytic = tensor::sum(tensor::mul(xc.grad(), u)).item() + tensor::sum(tensor::mul(yc.grad(), v)).item();
  EXPECT_NEAR(numeric, analytic, 1e-6 * (1 + std::abs(analytic)));
}
