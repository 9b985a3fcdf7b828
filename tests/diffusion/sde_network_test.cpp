// Note [SDE network conditioning] (diffusion/sde_network.h, docs/math.md 4.10):
// what a network trained on an SDE receives, and the eps loss (4.5) through
// that wrapper on a closed-form case, one data point, where the exact eps
// is known and the loss is 0.
#include "diffusion/sde_network.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "autograd/ops.h"
#include "diffusion/sde.h"
#include "tensor/ops.h"
#include "tensor/random.h"

namespace diffusion {
namespace {

// Shapes: N = 3 points, 2 dimensions.

struct Seen {
  std::vector<double> x, label;
};

// A "network" that records its input and label and returns zeros.
EpsModel recorder(Seen& seen) {
  return [&seen](const Variable& x, const Tensor& label) {
    seen.x = x.data().to_vector<double>();
    seen.label = label.to_vector<double>();
    return Variable(tensor::zeros_like(x.data()));
  };
}

TEST(SdeNetwork, VeScalesTheInputAndFeeds999T) {
  const VeSde ve(0.01, 10.0);
  Seen seen;
  const EpsModel eps = sde_network_eps(ve, recorder(seen));
  const std::vector<double> times = {0.0, 0.3, 1.0};
  std::vector<double> sigma_labels;
  for (double t : times) sigma_labels.push_back(ve.label(t));  // what the samplers pass: sigma(t)
  const Tensor x = tensor::from_vector(std::vector<double>{1, -2, 3, 4, -5, 6}, {3, 2}, tensor::DType::Float64);
  eps(Variable(x), tensor::from_vector(sigma_labels, {3}, tensor::DType::Float64));
  ASSERT_EQ(seen.label.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(seen.label[i], 999.0 * times[i], 1e-3) << i;
    const double c_in = 1.0 / std::sqrt(1.0 + sigma_labels[i] * sigma_labels[i]);
    EXPECT_NEAR(seen.x[2 * i], x.to_vector<double>()[2 * i] * c_in, 1e-12) << i;
    EXPECT_NEAR(seen.x[2 * i + 1], x.to_vector<double>()[2 * i + 1] * c_in, 1e-12) << i;
  }
  EXPECT_NEAR(ve_input_scale(10.0), 1.0 / std::sqrt(101.0), 1e-15);
}

TEST(SdeNetwork, VpAndSubVpPassTheCallOnUnchanged) {
  for (const std::shared_ptr<Sde>& sde :
       std::vector<std::shared_ptr<Sde>>{std::make_shared<VpSde>(), std::make_shared<SubVpSde>()}) {
    Seen seen;
    const EpsModel eps = sde_network_eps(*sde, recorder(seen));
    const Tensor x = tensor::from_vector(std::vector<float>{0.5f, -1.5f}, {1, 2});
    eps(Variable(x), sde->labels(1, 0.37));
    EXPECT_EQ(seen.x, x.to_vector<double>()) << sde->name();
    EXPECT_EQ(seen.label, sde->labels(1, 0.37).to_vector<double>()) << sde->name();  // 999 t, bit for bit
  }
}

// The data is one point x0, so x_t = m x0 + sigma eps and the exact eps is
// (x_t - m x0) / sigma. A network that computes it from what the wrapper
// hands it (the scaled input and 999 t) makes the loss (4.5) zero; one that
// misreads the convention (takes its input and label as x_t and t) does not.
double loss_of_exact_network(const Sde& sde, bool knows_convention) {
  const std::vector<double> point = {0.7, -1.2};
  const Tensor x0 = tensor::from_vector(std::vector<double>{0.7, -1.2, 0.7, -1.2, 0.7, -1.2, 0.7, -1.2}, {4, 2},
                                        tensor::DType::Float64);
  const bool ve = sde.name() == "ve";
  const EpsModel exact = [&](const Variable& x, const Tensor& label) {
    const std::vector<double> xs = x.data().to_vector<double>(), labels = label.to_vector<double>();
    std::vector<double> eps(xs.size());
    for (size_t i = 0; i < labels.size(); ++i) {
      const double t = labels[i] / 999.0;
      const double sigma = sde.sigma(t);
      const double unscale = ve && knows_convention ? 1.0 / ve_input_scale(sigma) : 1.0;
      for (size_t k = 0; k < 2; ++k) eps[2 * i + k] = (xs[2 * i + k] * unscale - sde.m(t) * point[k]) / sigma;
    }
    return Variable(tensor::from_vector(eps, x.shape(), tensor::DType::Float64));
  };
  tensor::Generator gen(11);
  return sde_eps_loss(sde, sde_network_eps(sde, exact), x0, gen).item();
}

TEST(SdeNetwork, EpsLossIsZeroForTheExactEpsOfOnePoint) {
  const VeSde ve(0.01, 10.0);
  const SubVpSde subvp;
  const VpSde vp;
  // The labels go through float32 (Sde::labels), so t and sigma carry about 1e-7 relative error.
  EXPECT_LT(loss_of_exact_network(ve, true), 1e-6);
  EXPECT_LT(loss_of_exact_network(subvp, true), 1e-6);
  EXPECT_LT(loss_of_exact_network(vp, true), 1e-6);
  EXPECT_GT(loss_of_exact_network(ve, false), 1e-2);  // VE's input scaling is what makes it exact
}

}  // namespace
}  // namespace diffusion
