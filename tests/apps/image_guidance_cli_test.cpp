// Classifier guidance on images end to end (docs/math.md (12.2),
// docs/guidance.md section 3): `diffuse train-classifier --noisy` on a tiny
// labeled image set, deterministic by seed; `diffuse sample --classifier`
// on an unconditional U-Net, measured by `diffuse score --class`; and the
// errors for a classifier that does not fit the model.
// The set: apps_test::write_toy_set (test_util.h), two classes of 8x8 images.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_util.h"
#include "test_util.h"

namespace {

using apps_test::diffuse;
using apps_test::expect_fails_with;
using apps_test::Result;
using apps_test::TempDir;

// The toy set, an unconditional U-Net on it, the metric's classifier and a
// noise-aware classifier, made once for the tests below.
class ImageGuidanceCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    apps_test::write_toy_set(images(), *dir_ / "toy-labels-idx1-ubyte", 64);
    const std::string data = "idx:" + images();
    const Result trained_model =
        diffuse({"train", "--data", data, "--model", "unet", "--ch", "8", "--ch-mult", "1,1", "--steps", "150",
                 "--batch", "16", "--lr", "3e-3", "--samples", "4", "--out", run()});
    const Result trained_metric =
        diffuse({"train-classifier", "--data", data, "--test-data", data, "--steps", "150", "--lr", "1e-2", "--batch",
                 "16", "--channels", "8", "--features", "8", "--out", metric()});
    const Result trained_noisy = train_noisy(noisy_classifier(), "0");
    setup_status_ = trained_model.status | trained_metric.status | trained_noisy.status;
    setup_out_ = trained_model.err + trained_metric.err + trained_noisy.out + trained_noisy.err;
    noisy_out_ = trained_noisy.out;
  }
  static void TearDownTestSuite() { delete dir_; }
  static Result train_noisy(const std::string& out, const std::string& seed, const std::string& steps = "300",
                            const std::string& schedule = "linear") {
    return diffuse({"train-classifier",
                    "--noisy",
                    "--data",
                    "idx:" + images(),
                    "--test-data",
                    "idx:" + images(),
                    "--steps",
                    steps,
                    "--batch",
                    "32",
                    "--lr",
                    "1e-2",
                    "--channels",
                    "4",
                    "--features",
                    "8",
                    "--seed",
                    seed,
                    "--schedule",
                    schedule,
                    "--out",
                    out});
  }
  // The share of `samples` the metric's classifier labels `k`.
  static double share_of(const std::string& samples, int k) {
    const Result r = diffuse({"score", "--samples", samples, "--ref", "idx:" + images(), "--classifier", metric(),
                              "--n", "64", "--class", std::to_string(k), "--json"});
    EXPECT_EQ(r.status, 0) << r.err;
    return nlohmann::json::parse(r.out.substr(r.out.rfind('\n', r.out.size() - 2) + 1))["class_share"].get<double>();
  }
  static std::string images() { return *dir_ / "toy-images-idx3-ubyte"; }
  static std::string run() { return *dir_ / "run"; }
  static std::string metric() { return *dir_ / "metric.safetensors"; }
  static std::string noisy_classifier() { return *dir_ / "noisy.safetensors"; }

  static TempDir* dir_;
  static int setup_status_;
  static std::string setup_out_, noisy_out_;
};
TempDir* ImageGuidanceCli::dir_ = nullptr;
int ImageGuidanceCli::setup_status_ = -1;
std::string ImageGuidanceCli::setup_out_, ImageGuidanceCli::noisy_out_;

TEST_F(ImageGuidanceCli, NoisyTrainingReportsAccuracyAndIsAFunctionOfTheSeed) {
  ASSERT_EQ(setup_status_, 0) << setup_out_;
  EXPECT_NE(noisy_out_.find("on idx:" + images() + " (64, 1, 8, 8)"), std::string::npos) << noisy_out_;
  EXPECT_NE(noisy_out_.find("100.0% at t = 1,"), std::string::npos) << noisy_out_;  // the halves are easy when clean
  const std::string again = *dir_ / "again.safetensors", other = *dir_ / "other.safetensors";
  ASSERT_EQ(train_noisy(again, "0", "20").status, 0);
  ASSERT_EQ(train_noisy(other, "1", "20").status, 0);
  const std::string first = *dir_ / "first.safetensors";
  ASSERT_EQ(train_noisy(first, "0", "20").status, 0);
  EXPECT_EQ(apps_test::read_bytes(first), apps_test::read_bytes(again));
  EXPECT_NE(apps_test::read_bytes(first), apps_test::read_bytes(other));
}

TEST_F(ImageGuidanceCli, GuidanceRaisesTheShareOfTheClass) {
  ASSERT_EQ(setup_status_, 0) << setup_out_;
  const std::string unguided = *dir_ / "w0.npy";
  const std::vector<std::string> sample = {"sample", "--ckpt", run(), "--sampler", "ddim", "--steps",
                                           "20",     "--n",    "64",  "--seed",    "3"};
  auto with = [&](std::vector<std::string> more) {
    std::vector<std::string> args = sample;
    args.insert(args.end(), more.begin(), more.end());
    return args;
  };
  ASSERT_EQ(diffuse(with({"--out", unguided})).status, 0);
  for (const int k : {0, 1}) {
    const std::string guided = *dir_ / ("k" + std::to_string(k) + ".npy");
    const Result r = diffuse(
        with({"--class", std::to_string(k), "--guidance", "30", "--classifier", noisy_classifier(), "--out", guided}));
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("classifier guidance 30"), std::string::npos) << r.out;
    const double before = share_of(unguided, k), after = share_of(guided, k);
    // A tiny model and classifier: guidance pulls, though not all the way (unguided 0.55 and 0.45, at w = 30
    // 0.97 and 0.83 when written).
    EXPECT_GT(after, before + 0.25) << "class " << k;
    EXPECT_GT(after, 0.7) << "class " << k << ", unguided " << before;
  }
}

TEST_F(ImageGuidanceCli, AClassifierThatDoesNotFitTheModelIsRefused) {
  ASSERT_EQ(setup_status_, 0) << setup_out_;
  const std::string out = *dir_ / "x.npy";
  expect_fails_with({"sample", "--ckpt", run(), "--class", "2", "--classifier", noisy_classifier(), "--out", out},
                    "--class 2: --classifier " + noisy_classifier() + " knows classes 0..1");
  const std::string cosine = *dir_ / "cosine.safetensors";
  ASSERT_EQ(train_noisy(cosine, "0", "2", "cosine").status, 0);
  expect_fails_with({"sample", "--ckpt", run(), "--class", "0", "--classifier", cosine, "--out", out},
                    "learned x_t of the cosine schedule (T = 1000); the model's is linear (T = 1000)");
  const std::string points = *dir_ / "points.safetensors";
  ASSERT_EQ(diffuse({"train-classifier", "--noisy", "--data", "moons", "--steps", "2", "--out", points}).status, 0);
  expect_fails_with({"sample", "--ckpt", run(), "--class", "0", "--classifier", points, "--out", out},
                    "classifies examples (2,); the model draws (1, 8, 8)");
  // An image classifier on a model of points.
  const std::string moons = *dir_ / "moons";
  ASSERT_EQ(diffuse({"train", "--data", "moons", "--steps", "2", "--samples", "4", "--out", moons}).status, 0);
  expect_fails_with({"sample", "--ckpt", moons, "--class", "0", "--classifier", noisy_classifier(), "--out", out},
                    "classifies examples (1, 8, 8); the model draws (2,)");
  expect_fails_with({"train-classifier", "--noisy", "--data", "idx:" + images(), "--out", *dir_ / "c.safetensors"},
                    "give --test-data too");
}

}  // namespace
