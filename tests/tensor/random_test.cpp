// Philox randomness: known-answer vectors, reproducibility by (seed, stream),
// independence from the thread count, and the distributions' moments and ranges.
#include "tensor/random.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "tensor/ops.h"
#include "tensor/philox.h"

using namespace tensor;

namespace {
// Restores the thread count a test changed.
struct ThreadCountGuard {
  int saved = get_num_threads();
  ~ThreadCountGuard() { set_num_threads(saved); }
};
}  // namespace

TEST(Philox, MatchesRandom123KnownAnswers) {
  // Philox4x32-10 known-answer vectors from Random123 (kat_vectors): counter
  // (c0, c1, c2, c3) = (index lo, index hi, stream lo, stream hi), key = seed.
  const philox::Block zero = philox::philox4x32_10(0, 0, 0);
  EXPECT_EQ(zero.w[0], 0x6627e8d5u);
  EXPECT_EQ(zero.w[1], 0xe169c58du);
  EXPECT_EQ(zero.w[2], 0xbc57ac4cu);
  EXPECT_EQ(zero.w[3], 0x9b00dbd8u);
  const philox::Block ones = philox::philox4x32_10(~0ull, ~0ull, ~0ull);
  EXPECT_EQ(ones.w[0], 0x408f276du);
  EXPECT_EQ(ones.w[3], 0x6d5451fdu);
  const philox::Block pi = philox::philox4x32_10(0x299f31d0a4093822ull, 0x0370734413198a2eull, 0x85a308d3243f6a88ull);
  EXPECT_EQ(pi.w[0], 0xd16cfe09u);
  EXPECT_EQ(pi.w[1], 0x94fdccebu);
  EXPECT_EQ(pi.w[2], 0x5001e420u);
  EXPECT_EQ(pi.w[3], 0x24126ea1u);
}

TEST(Random, SameSeedAndStreamGiveIdenticalValues) {
  Generator g1(42), g2(42);
  EXPECT_EQ(randn({1000}, g1).to_vector<float>(), randn({1000}, g2).to_vector<float>());
  // Each call takes the next stream, so consecutive tensors differ...
  EXPECT_EQ(g1.stream(), 1u);
  EXPECT_NE(randn({1000}, g1).to_vector<float>(), randn({1000}, g1).to_vector<float>());
  // ...and setting the stream back replays one.
  Generator g3(42);
  g3.set_stream(2);
  Generator g4(42);
  g4.set_stream(2);
  EXPECT_EQ(rand({100}, g3).to_vector<float>(), rand({100}, g4).to_vector<float>());
  // A different seed gives different numbers.
  Generator other(43);
  Generator again(42);
  EXPECT_NE(randn({1000}, other).to_vector<float>(), randn({1000}, again).to_vector<float>());
}

TEST(Random, ElementIIsAFunctionOfSeedStreamAndIOnly) {
  // A longer tensor from the same (seed, stream) starts with the shorter one's values.
  Generator g1(7), g2(7);
  const std::vector<double> short_v = randn({10}, g1, DType::Float64).to_vector<double>();
  const std::vector<double> long_v = randn({5, 20}, g2, DType::Float64).to_vector<double>();
  for (int i = 0; i < 10; ++i) EXPECT_EQ(short_v[i], long_v[i]);
  EXPECT_EQ(short_v[3], philox::normal(7, 0, 3));
}

TEST(Random, ValuesDoNotDependOnTheThreadCount) {
  ThreadCountGuard guard;
  const Shape shape{300, 1000};  // well above the parallel grain, so 2 threads really split it
  set_num_threads(1);
  Generator g1(123);
  const std::vector<float> one_n = randn(shape, g1).to_vector<float>();
  const std::vector<float> one_u = rand(shape, g1).to_vector<float>();
  const std::vector<int64_t> one_i = randint(-5, 17, shape, g1).to_vector<int64_t>();
  set_num_threads(2);
  Generator g2(123);
  EXPECT_EQ(randn(shape, g2).to_vector<float>(), one_n);
  EXPECT_EQ(rand(shape, g2).to_vector<float>(), one_u);
  EXPECT_EQ(randint(-5, 17, shape, g2).to_vector<int64_t>(), one_i);
}

TEST(Random, NormalMomentsOfAMillionSamples) {
  Generator gen(2024);
  for (DType dtype : {DType::Float32, DType::Float64}) {
    const Tensor x = randn({1000, 1000}, gen, dtype);
    // Standard errors: 1e-3 for the mean, ~7e-4 for the std; allow 5 of them.
    EXPECT_NEAR(mean(x).item(), 0.0, 5e-3);
    EXPECT_NEAR(std::sqrt(var(x).item()), 1.0, 5e-3);
    // The fraction inside one sigma is 68.27%.
    EXPECT_NEAR(mean(lt(abs(x), full_like(x, 1.0))).item(), 0.6827, 5e-3);
    for (double v : {amax(x).item(), amin(x).item()}) EXPECT_TRUE(std::isfinite(v));
  }
}

TEST(Random, UniformIsInZeroOneWithTheRightMoments) {
  Generator gen(5);
  for (DType dtype : {DType::Float32, DType::Float64}) {
    const Tensor u = rand({1000, 1000}, gen, dtype);
    EXPECT_GE(amin(u).item(), 0.0);
    EXPECT_LT(amax(u).item(), 1.0);
    EXPECT_NEAR(mean(u).item(), 0.5, 2e-3);
    EXPECT_NEAR(var(u).item(), 1.0 / 12.0, 1e-3);
  }
}

TEST(Random, RandintStaysInRangeAndHitsEveryValue) {
  Generator gen(9);
  const std::vector<int64_t> v = randint(-3, 4, {10000}, gen).to_vector<int64_t>();
  std::vector<int> counts(7, 0);
  for (int64_t x : v) {
    ASSERT_GE(x, -3);
    ASSERT_LT(x, 4);
    ++counts[x + 3];
  }
  for (int c : counts) EXPECT_NEAR(c, 10000 / 7, 150);  // ~1429 each, sd ~35
  EXPECT_EQ(randint(0, 1, {5}, gen).to_vector<int64_t>(), (std::vector<int64_t>(5, 0)));
  EXPECT_EQ(randint(0, 10, {2, 3}, gen).dtype(), DType::Int64);
  EXPECT_THROW(randint(3, 3, {2}, gen), Error);
}

TEST(Random, RandpermIsAPermutation) {
  Generator gen(11);
  for (int64_t n : {0, 1, 2, 17, 1000}) {
    std::vector<int64_t> p = randperm(n, gen).to_vector<int64_t>();
    ASSERT_EQ(static_cast<int64_t>(p.size()), n);
    std::vector<int64_t> sorted = p;
    std::sort(sorted.begin(), sorted.end());
    for (int64_t i = 0; i < n; ++i) EXPECT_EQ(sorted[i], i);
    if (n == 1000) {  // and it is shuffled
      int fixed_points = 0;
      for (int64_t i = 0; i < n; ++i) fixed_points += p[i] == i;
      EXPECT_LT(fixed_points, 10);
    }
  }
}

TEST(Random, InPlaceFillsAndTheirErrors) {
  Generator gen(1);
  Tensor t = zeros({4, 5});
  normal_(t, gen);
  EXPECT_GT(sum(abs(t)).item(), 0.0);
  Tensor ints = zeros({3}, DType::Int64);
  EXPECT_THROW(uniform_(ints, gen), Error);
  Tensor strided = zeros({4, 5}).t();
  try {
    normal_(strided, gen);
    FAIL() << "normal_ on a transposed view should throw";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("[normal_]"), std::string::npos);
  }
}

TEST(Random, LikeFormsTakeShapeDtypeAndDeviceFromTheirArgument) {
  const Tensor x = zeros({3, 4}, DType::Float64);
  Generator a(5), b(5);
  const Tensor n = randn_like(x, a);
  EXPECT_EQ(n.shape(), x.shape());
  EXPECT_EQ(n.dtype(), DType::Float64);
  EXPECT_EQ(n.device(), x.device());
  EXPECT_EQ(n.to_vector<double>(), randn({3, 4}, b, DType::Float64).to_vector<double>());
  const Tensor u = rand_like(x.to(DType::Float32), a);
  EXPECT_EQ(u.dtype(), DType::Float32);
  EXPECT_EQ(u.to_vector<float>(), rand({3, 4}, b).to_vector<float>());
  EXPECT_EQ(a.stream(), b.stream());  // one stream per call, as the explicit forms
}

TEST(Random, FactoriesPlaceTheirResultOnTheRequestedDevice) {
  Generator gen(2);
  EXPECT_EQ(randperm(5, gen, Device::CPU).device(), Device::CPU);
  EXPECT_EQ(arange(0, 4, 1, DType::Float32, Device::CPU).device(), Device::CPU);
  EXPECT_EQ(linspace(0, 1, 3, DType::Float64, Device::CPU).device(), Device::CPU);
  EXPECT_EQ(from_list({1, 2}, DType::Float32, Device::CPU).device(), Device::CPU);
  if (cuda_built()) GTEST_SKIP() << "CUDA build: device placement is covered by the CUDA tests";
  // Without the backend a request for CUDA fails at the allocation, naming the device.
  EXPECT_THROW(from_vector(std::vector<double>{1, 2}, {2}, DType::Float32, Device::CUDA), Error);
  EXPECT_THROW(arange(0, 3, 1, DType::Float32, Device::CUDA), Error);
  EXPECT_THROW(randperm(3, gen, Device::CUDA), Error);
  EXPECT_THROW(randn_like(zeros({2}), gen).to(Device::CUDA), Error);
}
