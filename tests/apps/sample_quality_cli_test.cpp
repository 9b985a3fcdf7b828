// The image sample-quality commands end to end (docs/math.md (11.3)):
// IDX label files, `diffuse train-classifier` on a tiny labeled set made in
// place, `diffuse score` between image sets, and their one-line errors.
// The set: apps_test::write_toy_set (test_util.h), two classes of 8x8 images.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "apps/data/idx.h"
#include "apps/data/labeled_images.h"
#include "apps/io/npy.h"
#include "cli_util.h"
#include "nn/safetensors.h"
#include "tensor/ops.h"
#include "test_util.h"

namespace {

using apps_test::diffuse;
using apps_test::expect_fails_with;
using apps_test::TempDir;

constexpr uint32_t kSide = apps_test::kTwoHalvesSide;
using apps_test::write_toy_set;

// One toy set and a classifier trained on it, shared by the tests below.
class SampleQualityCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    write_toy_set(images(), *dir_ / "toy-labels-idx1-ubyte", 64);
    const apps_test::Result r =
        diffuse({"train-classifier", "--data", "idx:" + images(), "--test-data", "idx:" + images(), "--steps", "150",
                 "--lr", "1e-2", "--batch", "16", "--channels", "8", "--features", "8", "--out", classifier()});
    train_status_ = r.status;
    train_out_ = r.out + r.err;
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string images() { return *dir_ / "toy-images-idx3-ubyte"; }
  static std::string classifier() { return *dir_ / "classifier.safetensors"; }

  static TempDir* dir_;
  static int train_status_;
  static std::string train_out_;
};
TempDir* SampleQualityCli::dir_ = nullptr;
int SampleQualityCli::train_status_ = -1;
std::string SampleQualityCli::train_out_;

TEST(IdxLabels, ReadsPlainAndGzippedFiles) {
  TempDir dir;
  for (const bool gzip : {false, true}) {
    const std::string path = dir / (gzip ? "l.gz" : "l");
    apps_test::write_bytes(path, apps_test::idx_labels({3, 0, 9, 255}), gzip);
    const tensor::Tensor y = apps::read_idx_labels(path);
    EXPECT_EQ(y.dtype(), tensor::DType::Int64);
    EXPECT_EQ(y.to_vector<int64_t>(), (std::vector<int64_t>{3, 0, 9, 255}));
  }
}

TEST(IdxLabels, ErrorsNameTheFileAndTheProblem) {
  TempDir dir;
  std::vector<uint8_t> bytes = apps_test::idx_labels({1, 2, 3});
  bytes.pop_back();
  apps_test::write_bytes(dir / "short", bytes);
  apps_test::expect_error([&] { apps::read_idx_labels(dir / "short"); }, {"short", "truncated", "(3)"});
  apps_test::write_bytes(dir / "images", apps_test::idx_images(1, 2, 2, {0, 1, 2, 3}));
  apps_test::expect_error([&] { apps::read_idx_labels(dir / "images"); }, {"images", "3 dims", "a label file has 1"});
  apps_test::write_bytes(dir / "empty", apps_test::idx_labels({}));
  apps_test::expect_error([&] { apps::read_idx_labels(dir / "empty"); }, {"empty", "no labels"});
}

TEST(LabeledImages, PairsImagesWithTheLabelsFileAndChecksTheCounts) {
  TempDir dir;
  write_toy_set(dir / "a-images-idx3-ubyte", dir / "a-labels-idx1-ubyte", 6);
  const apps::LabeledImages set = apps::load_labeled_images("idx:" + (dir / "a-images-idx3-ubyte"));
  EXPECT_EQ(set.images.shape(), (tensor::Shape{6, 1, kSide, kSide}));
  EXPECT_EQ(set.labels.to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 0, 1, 0, 1}));

  apps_test::write_bytes(dir / "a-labels-idx1-ubyte", apps_test::idx_labels({0, 1, 0}));
  apps_test::expect_error([&] { apps::load_labeled_images("idx:" + (dir / "a-images-idx3-ubyte")); },
                          {"holds 6 images", "holds 3 labels"});
  apps_test::write_bytes(dir / "pictures", apps_test::idx_images(1, 2, 2, {0, 1, 2, 3}));
  apps_test::expect_error([&] { apps::load_labeled_images("idx:" + (dir / "pictures")); },
                          {"pictures", "cannot find its labels", "images-idx3"});
  apps_test::expect_error([&] { apps::load_labeled_images("moons"); }, {"unknown labeled data 'moons'"});
}

TEST_F(SampleQualityCli, TrainClassifierLearnsTheToySetAndWritesTheFile) {
  ASSERT_EQ(train_status_, 0) << train_out_;
  EXPECT_NE(train_out_.find("test accuracy 100.00%"), std::string::npos) << train_out_;
  EXPECT_NE(train_out_.find("2 classes"), std::string::npos) << train_out_;
  EXPECT_TRUE(std::filesystem::is_regular_file(classifier()));
}

TEST_F(SampleQualityCli, ScoreIsZeroForTheSameImagesAndGrowsWhenOneClassIsMissing) {
  ASSERT_EQ(train_status_, 0) << train_out_;
  // The same 64 images on both sides: equal statistics, distance 0 up to
  // round-off. The features' covariance is near singular (SiLU features that
  // hardly vary), and the square root of an eigenvalue near 0 keeps only half
  // of float64's digits: sqrt(1e-16 ||M||) is about 1e-5 here.
  apps_test::Result r = diffuse({"score", "--samples", "idx:" + images(), "--ref", "idx:" + images(), "--classifier",
                                 classifier(), "--n", "64", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const nlohmann::json same = nlohmann::json::parse(r.out.substr(r.out.rfind('\n', r.out.size() - 2) + 1));
  const double same_fd = same["fd"].get<double>();
  EXPECT_GE(same_fd, 0.0);
  EXPECT_LT(same_fd, 1e-4);
  EXPECT_EQ(same["n_samples"], 64);
  EXPECT_EQ(same["features"], 8);

  // "Samples" of class 0 only (a model that dropped a mode) against both classes.
  const tensor::Tensor all = apps::read_idx_images(images());
  const tensor::Tensor class0 = tensor::index_select(all, 0, tensor::arange(0, 64, 2, tensor::DType::Int64));
  apps::write_npy(*dir_ / "class0.npy", class0);
  r = diffuse({"score", "--samples", *dir_ / "class0.npy", "--ref", "idx:" + images(), "--classifier", classifier(),
               "--n", "32", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const nlohmann::json dropped = nlohmann::json::parse(r.out.substr(r.out.rfind('\n', r.out.size() - 2) + 1));
  EXPECT_GT(dropped["fd"].get<double>(), 1000 * std::max(same_fd, 1e-4)) << r.out;
  EXPECT_NE(r.out.find("FD "), std::string::npos);
}

TEST_F(SampleQualityCli, ScoreClassCountsTheImagesTheClassifierLabelsK) {
  ASSERT_EQ(train_status_, 0) << train_out_;
  const tensor::Tensor all = apps::read_idx_images(images());
  // 24 of class 0 (even rows) and 8 of class 1 (odd rows): shares 3/4 and 1/4.
  const tensor::Tensor rows =
      tensor::cat({tensor::arange(0, 48, 2, tensor::DType::Int64), tensor::arange(1, 17, 2, tensor::DType::Int64)}, 0);
  apps::write_npy(*dir_ / "mixed.npy", tensor::index_select(all, 0, rows));
  for (const int k : {0, 1}) {
    const apps_test::Result r =
        diffuse({"score", "--samples", *dir_ / "mixed.npy", "--ref", "idx:" + images(), "--classifier", classifier(),
                 "--n", "32", "--class", std::to_string(k), "--json"});
    ASSERT_EQ(r.status, 0) << r.err;
    const nlohmann::json j = nlohmann::json::parse(r.out.substr(r.out.rfind('\n', r.out.size() - 2) + 1));
    EXPECT_EQ(j["class"], k);
    EXPECT_DOUBLE_EQ(j["class_share"].get<double>(), k == 0 ? 0.75 : 0.25) << r.out;
    EXPECT_NE(r.out.find(k == 0 ? "class 0: 75.0% of the 32 images" : "class 1: 25.0% of the 32 images"),
              std::string::npos)
        << r.out;
  }
  expect_fails_with({"score", "--samples", *dir_ / "mixed.npy", "--ref", "idx:" + images(), "--classifier",
                     classifier(), "--n", "32", "--class", "2"},
                    "--class 2: the classifier " + classifier() + " knows classes 0..1");
  expect_fails_with({"score", "--samples", *dir_ / "mixed.npy", "--ref", "idx:" + images(), "--features", "pixels",
                     "--n", "32", "--class", "0"},
                    "drop --features pixels");
}

TEST_F(SampleQualityCli, ScoreErrorsNameTheProblem) {
  ASSERT_EQ(train_status_, 0) << train_out_;
  expect_fails_with(
      {"score", "--samples", "idx:" + images(), "--ref", "idx:" + images(), "--classifier", *dir_ / "none.safetensors"},
      "no such file");
  expect_fails_with(
      {"score", "--samples", "idx:" + images(), "--ref", "idx:" + images(), "--classifier", classifier(), "--n", "65"},
      "fewer than --n 65");
  apps::write_npy(*dir_ / "small.npy", tensor::zeros({4, 1, 6, 6}));
  expect_fails_with(
      {"score", "--samples", *dir_ / "small.npy", "--ref", "idx:" + images(), "--classifier", classifier(), "--n", "4"},
      "do not fit the classifier");
  // A safetensors file that is not a classifier.
  nn::save_safetensors(*dir_ / "other.safetensors", {{"w", tensor::zeros({2})}}, {});
  expect_fails_with({"score", "--samples", "idx:" + images(), "--ref", "idx:" + images(), "--classifier",
                     *dir_ / "other.safetensors", "--n", "8"},
                    "not a classifier file");
}

TEST_F(SampleQualityCli, TrainClassifierErrorsNameTheProblem) {
  expect_fails_with({"train-classifier", "--data", "idx:" + images(), "--out", *dir_ / "c.bin"},
                    "one FILE.safetensors");
  expect_fails_with({"train-classifier", "--data", "idx:" + images(), "--out", *dir_ / "c.safetensors"},
                    "give --test-data too");
  expect_fails_with({"train-classifier", "--data", "moons", "--test-data", "moons", "--out", *dir_ / "c.safetensors"},
                    "unknown labeled data 'moons'");
}

}  // namespace
