// Sample metrics (docs/math.md section 11): the sliced Wasserstein distance is 0
// for identical sets, seeded, and grows with a shift or a change of scale.
#include <gtest/gtest.h>

#include "diffusion/metrics.h"
#include "tensor/ops.h"
#include "tensor/random.h"

using namespace diffusion;
namespace t = tensor;

TEST(SlicedWasserstein, ZeroForIdenticalSetsAndSeeded) {
  t::Generator gen(4);
  const t::Tensor x = t::randn({2000, 2}, gen);
  EXPECT_EQ(sliced_wasserstein(x, x, 128, 1), 0.0);
  const t::Tensor y = t::randn({2000, 2}, gen);
  EXPECT_EQ(sliced_wasserstein(x, y, 128, 1), sliced_wasserstein(x, y, 128, 1));
  // Permuting the points changes nothing (it compares distributions).
  const t::Tensor perm = t::index_select(x, 0, t::randperm(2000, gen));
  EXPECT_NEAR(sliced_wasserstein(x, perm, 128, 1), 0.0, 1e-12);
}

TEST(SlicedWasserstein, GrowsWithShiftAndScale) {
  t::Generator gen(5);
  const t::Tensor x = t::randn({4000, 2}, gen, t::DType::Float64);
  // A shift by c along e1: each direction u sees a shift |c u_1|; E|u_1| on the circle is 2/pi.
  const t::Tensor shifted = x + t::from_vector(std::vector<double>{1.0, 0.0}, {1, 2}, t::DType::Float64);
  EXPECT_NEAR(sliced_wasserstein(x, shifted, 512, 2), 2.0 / 3.14159265, 0.05);
  // Scaling by 2: W1 between N(0,1) and N(0,4) in 1-D is E|z| = sqrt(2/pi).
  EXPECT_NEAR(sliced_wasserstein(x, 2.0 * x, 512, 2), std::sqrt(2.0 / 3.14159265), 0.03);
  EXPECT_THROW(sliced_wasserstein(x, x.narrow(0, 0, 10)), t::Error);
}
