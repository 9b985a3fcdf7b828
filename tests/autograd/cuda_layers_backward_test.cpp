// Backward through autograd on CUDA for the layers' ops, float64: conv2d
// (with bias, strided) -> GroupNorm+SiLU -> a weighted sum, and a matmul
// with an index_select, so that each CUDA backward kernel is reached through
// its autograd rule (and the bias gradient through sum). Two checks: the
// gradients equal the CPU's (tolerance 1e-10 abs + rel; the CPU's are
// gradchecked in gradcheck_*_test.cpp), and along random directions u they
// match central finite differences computed on the GPU,
// (F(x + h u) - F(x - h u)) / 2h = sum_i <grad_i, u_i> (h = 1e-6, tolerance
// 1e-6 relative): a directional gradcheck, since autograd::gradcheck itself
// perturbs its inputs through host pointers.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <vector>

#include "autograd/ops.h"
#include "tensor/cuda_compare.h"
#include "tensor/ops.h"
#include "tensor/random.h"

namespace {

namespace t = tensor;
namespace ag = autograd;
using t::Device;
using t::DType;
using tensor_test::expect_close;

using Graph = std::function<ag::Variable(const std::vector<ag::Variable>&)>;

// Runs graph on leaves made from `inputs` on `device`, backward from its
// (scalar) output; returns the leaves' gradients.
std::vector<t::Tensor> gradients(const Graph& graph, const std::vector<t::Tensor>& inputs, Device device) {
  std::vector<ag::Variable> leaves;
  for (const t::Tensor& x : inputs) leaves.emplace_back(x.to(device), true);
  graph(leaves).backward();
  std::vector<t::Tensor> grads;
  for (const ag::Variable& v : leaves) grads.push_back(v.grad());
  return grads;
}

// graph's value at inputs + h * directions, all on the GPU.
double value_at(const Graph& graph, const std::vector<t::Tensor>& inputs, const std::vector<t::Tensor>& directions,
                double h) {
  std::vector<ag::Variable> points;
  for (size_t i = 0; i < inputs.size(); ++i) points.emplace_back(t::add(inputs[i], t::mul(directions[i], h)));
  return graph(points).item();
}

void expect_gradients_check_out(const Graph& graph, const std::vector<t::Tensor>& inputs) {
  const std::vector<t::Tensor> cpu = gradients(graph, inputs, Device::CPU);
  const std::vector<t::Tensor> cuda = gradients(graph, inputs, Device::CUDA);
  for (size_t i = 0; i < inputs.size(); ++i)
    expect_close(cuda[i], cpu[i], 1e-10, 1e-10, (::testing::Message() << "input " << i).GetString());

  t::Generator gen(77);
  std::vector<t::Tensor> on_gpu;
  for (const t::Tensor& x : inputs) on_gpu.push_back(x.to(Device::CUDA));
  for (int direction = 0; direction < 3; ++direction) {
    std::vector<t::Tensor> u;
    double analytic = 0;
    for (size_t i = 0; i < inputs.size(); ++i) {
      u.push_back(t::randn(inputs[i].shape(), gen, DType::Float64).to(Device::CUDA));
      analytic += t::sum(t::mul(cuda[i], u.back())).item();
    }
    const double h = 1e-6;
    const double numeric = (value_at(graph, on_gpu, u, h) - value_at(graph, on_gpu, u, -h)) / (2 * h);
    EXPECT_NEAR(numeric, analytic, 1e-6 * (1 + std::abs(analytic))) << "direction " << direction;
  }
}

TEST(CudaBackward, ConvGroupNormSilu) {
  SKIP_WITHOUT_CUDA();
  t::Generator gen(1100);
  const t::Tensor x = t::randn({3, 4, 9, 8}, gen, DType::Float64), w = t::randn({6, 4, 3, 3}, gen, DType::Float64);
  const t::Tensor b = t::randn({6}, gen, DType::Float64), gamma = t::randn({6}, gen, DType::Float64);
  const t::Tensor beta = t::randn({6}, gen, DType::Float64);
  const t::Tensor r = t::randn({3, 6, 5, 4}, gen, DType::Float64);  // weights of the sum: a generic direction
  expect_gradients_check_out(
      [&](const std::vector<ag::Variable>& v) {
        const ag::Variable h = ag::conv2d(v[0], v[1], v[2], 2, 1);
        const ag::Variable y = ag::group_norm(h, 3, v[3], v[4], 1e-5, true);
        return ag::sum(ag::mul(y, ag::Variable(r.to(v[0].device()))));
      },
      {x, w, b, gamma, beta});
}

TEST(CudaBackward, MatmulAndIndexSelect) {
  SKIP_WITHOUT_CUDA();
  t::Generator gen(1200);
  const t::Tensor a = t::randn({4, 5, 7}, gen, DType::Float64), m = t::randn({7, 3}, gen, DType::Float64);
  const t::Tensor table = t::randn({10, 3}, gen, DType::Float64);
  const t::Tensor rows = t::from_vector(std::vector<int64_t>{2, 9, 2, 0, 2}, {5});
  expect_gradients_check_out(
      [&](const std::vector<ag::Variable>& v) {
        const ag::Variable picked = ag::index_select(v[2], 0, rows.to(v[2].device()));  // (5, 3), row 2 thrice
        return ag::sum(ag::mul(ag::matmul(v[0], v[1]), picked));
      },
      {a, m, table});
}

}  // namespace
