// Training on CUDA against training on the CPU: the MLP2D from the same
// initial weights, 50 AdamW steps on the same batches (drawn on the CPU and
// copied over), loss = mse(model(x_t, t), eps) as in bench/nn_bench.cpp.
// The two loss curves must agree to float32 accuracy: relative 2e-3 per step
// (kernels sum in other orders, and 50 Adam steps compound it).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "autograd/ops.h"
#include "nn/nn.h"
#include "nn/optim/adam.h"
#include "tensor/cuda_compare.h"
#include "tensor/ops.h"
#include "tensor/random.h"

namespace {

namespace t = tensor;
namespace ag = autograd;
using t::Device;

constexpr int64_t kT = 1000, kBatch = 256, kSteps = 50;

t::Tensor linear_alpha_bar() {
  std::vector<double> ab(kT);
  double prod = 1.0;
  for (int64_t i = 0; i < kT; ++i) {
    prod *= 1.0 - (1e-4 + (0.02 - 1e-4) * static_cast<double>(i) / static_cast<double>(kT - 1));
    ab[i] = prod;
  }
  return t::from_vector(ab, {kT});
}

// One batch: x0 ~ N(0, 1) (2-D points), t ~ U{0..T-1}, eps ~ N(0, 1), on the CPU.
struct Batch {
  t::Tensor x0, steps, eps;
};

std::vector<Batch> make_batches() {
  t::Generator gen(7);
  std::vector<Batch> batches;
  for (int64_t i = 0; i < kSteps; ++i)
    batches.push_back({t::randn({kBatch, 2}, gen), t::randint(0, kT, {kBatch}, gen), t::randn({kBatch, 2}, gen)});
  return batches;
}

// 50 steps on `device`; returns the loss before each step.
template <typename Model>
std::vector<double> loss_curve(Device device, const std::vector<Batch>& batches) {
  t::Generator init(0);
  Model model(nn::MLP2DConfig{}, init);
  model.to(device);
  nn::AdamWOptions o;
  o.lr = 1e-3;
  nn::AdamW opt(model.named_parameters(), o);
  const t::Tensor alpha_bar = linear_alpha_bar().to(device);
  std::vector<double> losses;
  for (const Batch& b : batches) {
    const t::Tensor x0 = b.x0.to(device), steps = b.steps.to(device), eps = b.eps.to(device);
    const t::Tensor a = t::index_select(alpha_bar, 0, steps).reshape({kBatch, 1});
    const t::Tensor xt = t::add(t::mul(t::sqrt(a), x0), t::mul(t::sqrt(t::sub(t::ones_like(a), a)), eps));
    ag::Variable pred = model(ag::Variable(xt), steps.to(t::DType::Float32));
    ag::Variable loss = ag::mean(ag::square(ag::sub(pred, ag::Variable(eps))));
    opt.zero_grad();
    loss.backward();
    opt.step();
    losses.push_back(loss.item());
  }
  return losses;
}

template <typename Model>
void expect_curves_match() {
  const std::vector<Batch> batches = make_batches();
  const std::vector<double> cpu = loss_curve<Model>(Device::CPU, batches);
  const std::vector<double> cuda = loss_curve<Model>(Device::CUDA, batches);
  ASSERT_EQ(cpu.size(), cuda.size());
  for (size_t i = 0; i < cpu.size(); ++i) EXPECT_NEAR(cuda[i], cpu[i], 2e-3 * std::abs(cpu[i])) << "step " << i;
  EXPECT_LT(cpu.back(), cpu.front()) << "the loss did not fall: the comparison would be vacuous";
}

TEST(CudaTraining, MLP2DLossCurveMatchesCpu) {
  SKIP_WITHOUT_CUDA();
  expect_curves_match<nn::MLP2D>();
}

}  // namespace
