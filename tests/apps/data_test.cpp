// Tests for apps/data: the IDX reader on files written here (valid, .gz,
// truncated, wrong magic, wrong dims), PNG folders, the seeded 2-D sets and
// the Batcher's shuffled, resumable order.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "apps/data/dataset.h"
#include "apps/data/idx.h"
#include "apps/data/image_sets.h"
#include "apps/data/toy2d.h"
#include "apps/error.h"
#include "apps/io/png.h"
#include "tensor/ops.h"
#include "test_util.h"

namespace {

using apps_test::expect_error;
using apps_test::TempDir;

const std::vector<uint8_t> kPixels = {0, 255, 51, 102, 0, 0, 255, 255, 10, 20, 30, 40};  // 2 images, 2x3

TEST(Idx, ReadsPlainAndGzipFiles) {
  TempDir dir;
  for (bool gzip : {false, true}) {
    const std::string path = dir / (gzip ? "a.gz" : "a");
    apps_test::write_bytes(path, apps_test::idx_images(2, 2, 3, kPixels), gzip);
    const tensor::Tensor x = apps::read_idx_images(path);
    EXPECT_EQ(x.shape(), (tensor::Shape{2, 1, 2, 3}));
    const std::vector<float> v = x.to_vector<float>();
    EXPECT_FLOAT_EQ(v[0], -1.0f);
    EXPECT_FLOAT_EQ(v[1], 1.0f);
    EXPECT_FLOAT_EQ(v[2], 51 / 127.5f - 1);
    EXPECT_FLOAT_EQ(v[11], 40 / 127.5f - 1);
  }
}

TEST(Idx, ErrorsNameTheFileAndTheProblem) {
  TempDir dir;
  expect_error([&] { apps::read_idx_images(dir / "none.gz"); }, {"none.gz", "no such file"});

  std::vector<uint8_t> bytes = apps_test::idx_images(2, 2, 3, kPixels);
  bytes.resize(bytes.size() - 1);
  apps_test::write_bytes(dir / "short", bytes);
  expect_error([&] { apps::read_idx_images(dir / "short"); }, {"short", "truncated", "(2, 2, 3)"});
  apps_test::write_bytes(dir / "short.gz", bytes, true);
  expect_error([&] { apps::read_idx_images(dir / "short.gz"); }, {"short.gz", "truncated"});
  apps_test::write_bytes(dir / "tiny", {0, 0});
  expect_error([&] { apps::read_idx_images(dir / "tiny"); }, {"tiny", "truncated"});

  bytes = apps_test::idx_images(2, 2, 3, kPixels);
  bytes[2] = 0x0D;  // float data, not unsigned bytes
  apps_test::write_bytes(dir / "float", bytes);
  expect_error([&] { apps::read_idx_images(dir / "float"); }, {"float", "wrong magic 00000d03"});

  bytes = apps_test::idx_images(2, 2, 3, kPixels);
  bytes[3] = 1;  // a label file: one dim
  apps_test::write_bytes(dir / "labels", bytes);
  expect_error([&] { apps::read_idx_images(dir / "labels"); }, {"labels", "1 dims"});
}

TEST(Idx, FashionMnistFolderLayout) {
  TempDir dir;
  apps_test::write_bytes(dir / "train-images-idx3-ubyte.gz", apps_test::idx_images(2, 2, 3, kPixels), true);
  apps_test::write_bytes(dir / "t10k-images-idx3-ubyte", apps_test::idx_images(1, 2, 3, kPixels));
  EXPECT_EQ(apps::load_data("fashion-mnist:" + dir.path().string(), 0).size(0), 2);
  EXPECT_EQ(apps::load_data("fashion-mnist-test:" + dir.path().string(), 0).size(0), 1);
  expect_error([&] { apps::load_data("fashion-mnist:" + (dir / "nope"), 0); }, {"nope", "no such directory"});
}

TEST(Idx, RealFashionMnistTestSet) {
  if (!std::filesystem::exists(std::string(apps::kFashionMnistDir) + "/t10k-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "Fashion-MNIST is not installed in " << apps::kFashionMnistDir;
  const tensor::Tensor x = apps::load_data("fashion-mnist-test", 0);
  EXPECT_EQ(x.shape(), (tensor::Shape{10000, 1, 28, 28}));
  EXPECT_FLOAT_EQ(tensor::amin(x).item(), -1.0f);
  EXPECT_FLOAT_EQ(tensor::amax(x).item(), 1.0f);
  // Clothes on a black background: most pixels are dark, the mean well below 0.
  EXPECT_LT(tensor::mean(x).item(), -0.3);
}

TEST(PngDir, ReadsSortedImagesAndChecksSizes) {
  TempDir dir;
  apps::Image a(4, 3, 1, 0), b(4, 3, 1, 255);
  apps::write_png(dir / "b.png", b);
  apps::write_png(dir / "a.png", a);
  const tensor::Tensor x = apps::load_data("png:" + dir.path().string(), 0);
  EXPECT_EQ(x.shape(), (tensor::Shape{2, 1, 3, 4}));
  EXPECT_FLOAT_EQ(x.to_vector<float>()[0], -1.0f);  // a.png first
  EXPECT_FLOAT_EQ(x.to_vector<float>()[12], 1.0f);
  apps::write_png(dir / "c.png", apps::Image(5, 3, 3, 0));
  expect_error([&] { apps::load_data("png:" + dir.path().string(), 0); }, {"c.png", "5x3"});
}

TEST(Toy2d, EverySetIsSeededAndShaped) {
  for (const char* name : {"moons", "swissroll", "8gaussians", "checkerboard"}) {
    const tensor::Tensor a = apps::toy_2d(name, 1000, 7), b = apps::toy_2d(name, 1000, 7);
    const tensor::Tensor c = apps::toy_2d(name, 1000, 8);
    EXPECT_EQ(a.shape(), (tensor::Shape{1000, 2})) << name;
    EXPECT_EQ(a.to_vector<float>(), b.to_vector<float>()) << name;
    EXPECT_NE(a.to_vector<float>(), c.to_vector<float>()) << name;
    // Centred near 0 and within the plotting range the docs promise.
    EXPECT_LT(std::abs(tensor::mean(a).item()), 0.5) << name;
    EXPECT_LT(tensor::amax(tensor::abs(a)).item(), 4.5) << name;
  }
}

TEST(Toy2d, ShapesHaveTheirDefiningProperty) {
  // 8gaussians: every point lies near one of 8 centres at radius 4/sqrt(2).
  const std::vector<float> g = apps::toy_2d("8gaussians", 2000, 1).to_vector<float>();
  int near = 0;
  for (size_t i = 0; i < g.size(); i += 2) near += std::abs(std::hypot(g[i], g[i + 1]) - 2.83) < 1.2;
  EXPECT_GT(near, 1900);
  // checkerboard: floor(x/2) + floor(y/2) is always even (the dark squares).
  const std::vector<float> c = apps::toy_2d("checkerboard", 2000, 1).to_vector<float>();
  for (size_t i = 0; i < c.size(); i += 2)
    EXPECT_EQ((static_cast<int>(std::floor(c[i] / 2)) + static_cast<int>(std::floor(c[i + 1] / 2)) + 100) % 2, 0);
}

TEST(Toy2d, GaussianMixtureFromJson) {
  TempDir dir;
  std::ofstream(dir / "g.json") << R"({"means": [[-2, 0], [2, 0]], "stds": [0.1, 0.1], "weights": [0.25, 0.75]})";
  const std::vector<float> x = apps::load_data("gmm:" + (dir / "g.json"), 3, 4000).to_vector<float>();
  int right = 0;
  for (size_t i = 0; i < x.size(); i += 2) right += x[i] > 0;
  EXPECT_NEAR(right / 4000.0, 0.75, 0.03);
  expect_error([&] { apps::load_data("gmm:" + (dir / "none.json"), 0); }, {"none.json"});
  std::ofstream(dir / "bad.json") << R"({"means": [[0, 0]], "stds": [1]})";
  expect_error([&] { apps::load_data("gmm:" + (dir / "bad.json"), 0); }, {"bad.json"});
}

TEST(LoadData, UnknownNameListsTheValidOnes) {
  expect_error([] { apps::load_data("spirals", 0); }, {"unknown data 'spirals'", "moons", "png:DIR"});
}

TEST(Batcher, EachEpochIsAPermutationAndResumeRepeatsTheOrder) {
  const int64_t n = 10, batch = 3;
  const tensor::Tensor data = tensor::arange(0, n).reshape({n, 1});
  apps::Batcher batcher(data, batch, 42);
  std::vector<float> seen;
  for (int i = 0; i < 3; ++i)
    for (float v : batcher.next().to_vector<float>()) seen.push_back(v);
  std::set<float> distinct(seen.begin(), seen.end());
  EXPECT_EQ(distinct.size(), 9u);  // one epoch: no repeats
  const apps::BatchPosition saved = batcher.position();
  EXPECT_EQ(saved.epoch, 0);
  EXPECT_EQ(saved.index, 9);

  std::vector<std::vector<float>> expected;
  for (int i = 0; i < 5; ++i) expected.push_back(batcher.next().to_vector<float>());
  EXPECT_EQ(batcher.position().epoch, 2);  // 3 batches per epoch: 5 more reach epoch 2
  EXPECT_NE(expected[0], std::vector<float>(seen.begin(), seen.begin() + 3));  // a new shuffle

  apps::Batcher resumed(data, batch, 42);
  resumed.set_position(saved);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(resumed.next().to_vector<float>(), expected[i]);

  apps::Batcher other_seed(data, batch, 43);
  EXPECT_NE(other_seed.next().to_vector<float>(), std::vector<float>(seen.begin(), seen.begin() + 3));
  EXPECT_THROW(apps::Batcher(data, 11, 0), apps::Error);
}

}  // namespace

// Mean and variance of each coordinate of an (N, 2) tensor.
struct Moments {
  double mean[2] = {0, 0};
  double var[2] = {0, 0};
};
Moments moments_2d(const tensor::Tensor& points) {
  const std::vector<float> xy = points.to_vector<float>();
  const double n = xy.size() / 2.0;
  Moments m;
  for (size_t i = 0; i < xy.size(); ++i) m.mean[i % 2] += xy[i] / n;
  for (size_t i = 0; i < xy.size(); ++i) m.var[i % 2] += (xy[i] - m.mean[i % 2]) * (xy[i] - m.mean[i % 2]) / n;
  return m;
}

TEST(Batcher, EpochZeroBatchesLookLikeTheWholeSet) {
  // The data and its shuffle come from one seed (as in `diffuse train`), but
  // from different streams (Note [Random streams]): when they shared one, the
  // shuffle keys were the data's own first draw, and each epoch-0 batch was one
  // arc of the moons or one of the 8 Gaussians (variance 0.12 against 4.1).
  const int64_t batch = 256;
  for (const char* name : {"moons", "swissroll", "8gaussians", "checkerboard"}) {
    for (uint64_t seed : {0, 1}) {
      const tensor::Tensor data = apps::load_data(name, seed);
      const Moments whole = moments_2d(data);
      apps::Batcher batcher(data, batch, seed);
      for (int b = 0; b < 8; ++b) {
        const Moments part = moments_2d(batcher.next());
        for (int d = 0; d < 2; ++d) {
          // Limits of about 5 standard errors of a batch of 256 drawn at random.
          EXPECT_NEAR(part.mean[d], whole.mean[d], 5 * std::sqrt(whole.var[d] / batch))
              << name << " seed " << seed << " batch " << b << " coordinate " << d;
          EXPECT_NEAR(part.var[d], whole.var[d], 0.35 * whole.var[d])
              << name << " seed " << seed << " batch " << b << " coordinate " << d;
        }
      }
    }
  }
}
