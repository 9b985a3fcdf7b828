// End-to-end tests of conditional generation (docs/math.md section 12):
// the labels of the 2-D sets, `diffuse train --conditional`, `diffuse
// sample --class/--guidance/--classifier` on the oracle (where the answer
// is known: class K is component K) and on trained models, and the errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "apps/data/dataset.h"
#include "apps/io/npy.h"
#include "cli_util.h"
#include "tensor/ops.h"
#include "test_util.h"

namespace {

using apps_test::diffuse;
using apps_test::expect_fails_with;
using apps_test::Result;
using apps_test::TempDir;
namespace fs = std::filesystem;
namespace t = tensor;

// Mean of the rows of x (N, 2) whose label is c (all rows when c < 0).
std::vector<double> mean_of(const t::Tensor& x, const t::Tensor& labels, int64_t c) {
  const std::vector<float> v = x.to_vector<float>();
  const std::vector<int64_t> y = labels.defined() ? labels.to_vector<int64_t>() : std::vector<int64_t>();
  double sx = 0, sy = 0;
  int64_t n = 0;
  for (int64_t i = 0; i < x.size(0); ++i) {
    if (c >= 0 && y[i] != c) continue;
    sx += v[2 * i];
    sy += v[2 * i + 1];
    ++n;
  }
  return {sx / n, sy / n};
}

// Two overlapping components, so that guidance beyond 1 visibly moves mass.
void write_two_components(const std::string& path) {
  std::ofstream(path) << R"({"means": [[-1, 0], [1, 0]], "stds": [0.6, 0.6], "weights": [0.5, 0.5]})";
}

}  // namespace

TEST(ConditionalData, TwoDimensionalSetsCarryTheirClassesAndKeepTheirPoints) {
  t::Tensor labels;
  const t::Tensor moons = apps::load_data("moons", 3, 4000, &labels);
  EXPECT_EQ(t::amax(t::abs(moons - apps::load_data("moons", 3, 4000))).item(), 0.0);  // same points as before
  ASSERT_TRUE(labels.defined());
  EXPECT_GT(mean_of(moons, labels, 0)[1], 0.5);  // the upper moon (mean y 2 (2/pi - 1/4) = 0.77)
  EXPECT_LT(mean_of(moons, labels, 1)[1], -0.5);
  const t::Tensor eight = apps::load_data("8gaussians", 3, 4000, &labels);
  const std::vector<double> c2 = mean_of(eight, labels, 2);  // angle pi/2: (0, 4 / sqrt 2)
  EXPECT_NEAR(c2[0], 0.0, 0.1);
  EXPECT_NEAR(c2[1], 4 / std::sqrt(2.0), 0.1);
  TempDir dir;
  const std::string gmm = dir / "two.json";
  write_two_components(gmm);
  const t::Tensor mixture = apps::load_data("gmm:" + gmm, 3, 4000, &labels);
  EXPECT_NEAR(mean_of(mixture, labels, 1)[0], 1.0, 0.05);
  apps::load_data("swissroll", 3, 100, &labels);
  EXPECT_FALSE(labels.defined());
}

TEST(GuidanceCli, OracleDrawsComponentKAtWeightOneAndMovesMassBeyond) {
  TempDir dir;
  const std::string gmm = dir / "two.json";
  write_two_components(gmm);
  std::vector<double> mean_x;
  for (const char* w : {"0", "1", "3"}) {
    const std::string out = dir / (std::string("w") + w + ".npy");
    const Result r = diffuse({"sample", "--oracle", "gmm:" + gmm, "--class", "0", "--guidance", w, "--n", "2000",
                              "--steps", "50", "--out", out});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find(std::string("class 0, guidance ") + w), std::string::npos) << r.out;
    mean_x.push_back(mean_of(apps::read_npy(out), t::Tensor(), -1)[0]);
  }
  EXPECT_NEAR(mean_x[0], 0.0, 0.1);    // w = 0: the whole mixture
  EXPECT_NEAR(mean_x[1], -1.0, 0.06);  // w = 1: component 0
  EXPECT_LT(mean_x[2], -1.3);          // w = 3: pushed away from component 1
  // Classifier guidance with the oracle's exact classifier is the same field (docs/math.md 12.1-12.3).
  const std::string by_classifier = dir / "c3.npy";
  ASSERT_EQ(diffuse({"sample", "--oracle", "gmm:" + gmm, "--class", "0", "--guidance", "3", "--classifier", "oracle",
                     "--n", "2000", "--steps", "50", "--out", by_classifier})
                .status,
            0);
  EXPECT_LT(t::amax(t::abs(apps::read_npy(by_classifier) - apps::read_npy(dir / "w3.npy"))).item(), 1e-4);
}

TEST(GuidanceCli, ConditionalTrainingSamplesEachClassAndResumesExactly) {
  TempDir dir;
  const std::string run = dir / "run", straight = dir / "straight";
  const std::vector<std::string> train = {"train", "--data",       "moons", "--conditional", "--steps",
                                          "60",    "--ckpt-every", "30",    "--samples",     "100"};
  auto with = [](std::vector<std::string> args, std::vector<std::string> more) {
    args.insert(args.end(), more.begin(), more.end());
    return args;
  };
  ASSERT_EQ(diffuse(with(train, {"--out", straight})).status, 0);
  ASSERT_EQ(diffuse(with(train, {"--out", run, "--steps", "30"})).status, 0);
  ASSERT_EQ(diffuse(with(train, {"--out", run, "--resume"})).status, 0);
  EXPECT_EQ(apps_test::read_bytes(run + "/model.safetensors"), apps_test::read_bytes(straight + "/model.safetensors"));
  std::ifstream config(fs::path(run) / "config.json");
  const std::string text((std::istreambuf_iterator<char>(config)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("\"conditional\": true"), std::string::npos) << text;
  for (const char* sampler : {"ddim", "ddpm", "ode-heun", "sde-em", "dpm-solver++2m", "edm-heun"}) {
    const Result r = diffuse({"sample", "--ckpt", run, "--class", "1", "--guidance", "2.5", "--sampler", sampler,
                              "--steps", "10", "--n", "50", "--out", dir / "s.npy"});
    EXPECT_EQ(r.status, 0) << sampler << ": " << r.err;
  }
  expect_fails_with({"sample", "--ckpt", run, "--class", "2", "--out", dir / "s.npy"}, "classes 0..1");
  expect_fails_with({"train", "--data", "swissroll", "--conditional", "--out", dir / "r2"}, "has no class labels");
  expect_fails_with({"train", "--data", "moons", "--cond-drop", "0.2", "--out", dir / "r3"}, "--conditional");
}

TEST(GuidanceCli, NoisyClassifierGuidesAnUnconditionalModel) {
  TempDir dir;
  const std::string gmm = dir / "two.json", classifier = dir / "clf.safetensors";
  write_two_components(gmm);
  const Result trained = diffuse({"train-classifier", "--noisy", "--data", "gmm:" + gmm, "--steps", "300", "--batch",
                                  "128", "--features", "32", "--out", classifier});
  ASSERT_EQ(trained.status, 0) << trained.err;
  EXPECT_NE(trained.out.find("at t = 1"), std::string::npos) << trained.out;
  const std::string unguided = dir / "u.npy", guided = dir / "g.npy";
  ASSERT_EQ(diffuse({"sample", "--oracle", "gmm:" + gmm, "--n", "1000", "--steps", "30", "--out", unguided}).status, 0);
  const Result r = diffuse({"sample", "--oracle", "gmm:" + gmm, "--class", "1", "--guidance", "2", "--classifier",
                            classifier, "--n", "1000", "--steps", "30", "--out", guided});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("classifier guidance 2"), std::string::npos) << r.out;
  // The learned classifier pulls the unconditional mixture (mean 0) towards component 1 (mean x = 1).
  EXPECT_LT(std::abs(mean_of(apps::read_npy(unguided), t::Tensor(), -1)[0]), 0.15);
  EXPECT_GT(mean_of(apps::read_npy(guided), t::Tensor(), -1)[0], 0.7);
  expect_fails_with(
      {"sample", "--oracle", "gmm:" + gmm, "--class", "2", "--classifier", classifier, "--out", dir / "x.npy"},
      "knows classes 0..1");
  expect_fails_with({"sample", "--oracle", "gmm:" + gmm, "--class", "0", "--classifier", gmm, "--out", dir / "x.npy"},
                    "not a safetensors file");
  expect_fails_with({"train-classifier", "--noisy", "--data", "swissroll", "--out", dir / "c.safetensors"},
                    "has no class labels");
}

TEST(GuidanceCli, GuidanceFlagsNeedAClassThatExists) {
  TempDir dir;
  const std::string gmm = dir / "two.json";
  write_two_components(gmm);
  const std::string out = dir / "x.npy";
  expect_fails_with({"sample", "--oracle", "gmm:" + gmm, "--guidance", "2", "--out", out}, "give --class K");
  expect_fails_with({"sample", "--oracle", "gmm:" + gmm, "--class", "2", "--out", out}, "components 0..1");
  const std::string run = dir / "plain";
  ASSERT_EQ(diffuse({"train", "--data", "moons", "--steps", "5", "--samples", "10", "--out", run}).status, 0);
  expect_fails_with({"sample", "--ckpt", run, "--class", "0", "--out", out}, "has no classes");
}
