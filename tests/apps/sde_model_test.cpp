// `diffuse train --sde` in process (apps/commands/sde_model.h): the SDE in
// the checkpoint's metadata and in config.json, read back; a --config of a
// VE run starting the same run again; the combinations that are refused, each
// with one line and exit 2. Sampling such models end to end is
// tests/apps/sde_cli_test.sh.
#include "apps/commands/sde_model.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "apps/commands/checkpoint.h"
#include "apps/commands/train_config.h"
#include "apps/io/npy.h"
#include "cli_util.h"
#include "nn/safetensors.h"
#include "tensor/ops.h"
#include "test_util.h"

namespace {

using apps_test::diffuse;
using apps_test::expect_fails_with;
using apps_test::Result;
using apps_test::TempDir;

const std::vector<std::string> kTiny = {"--data",  "moons", "--steps",   "4", "--batch",     "16",
                                        "--width", "8",     "--samples", "8", "--log-every", "0"};

std::vector<std::string> train(const std::string& out, std::vector<std::string> extra) {
  std::vector<std::string> args = {"train", "--out", out};
  args.insert(args.end(), kTiny.begin(), kTiny.end());
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST(SdeModel, CheckpointMetadataRoundTrip) {
  TempDir dir;
  apps::Checkpoint ckpt;
  ckpt.config.data_shape = {2};
  ckpt.config.batch = 1;
  ckpt.config.sde = "ve";
  ckpt.config.sigma_min = 0.02;
  ckpt.config.sigma_max = 7.25;
  ckpt.ema["w"] = tensor::ones({2});
  apps::save_checkpoint(dir / "ve.safetensors", ckpt);
  const apps::Checkpoint back = apps::load_checkpoint(dir / "ve.safetensors");
  EXPECT_EQ(back.config.sde, "ve");
  EXPECT_EQ(back.config.sigma_min, 0.02);
  EXPECT_EQ(back.config.sigma_max, 7.25);
  EXPECT_EQ(apps::model_sde(back.config, "test")->sigma(1.0), 7.25);

  ckpt.config.sde = "subvp";
  apps::save_checkpoint(dir / "subvp.safetensors", ckpt);
  EXPECT_EQ(apps::load_checkpoint(dir / "subvp.safetensors").config.sde, "subvp");
  EXPECT_EQ(nn::load_safetensors(dir / "subvp.safetensors").metadata.count("sigma_max"), 0u);

  // A discrete model's file has no SDE keys, and reads back as discrete.
  ckpt.config.sde.clear();
  apps::save_checkpoint(dir / "ddpm.safetensors", ckpt);
  EXPECT_EQ(nn::load_safetensors(dir / "ddpm.safetensors").metadata.count("sde"), 0u);
  EXPECT_TRUE(apps::load_checkpoint(dir / "ddpm.safetensors").config.sde.empty());
}

TEST(SdeModel, ModelSdeForEachKindOfModel) {
  apps::RunConfig c;
  EXPECT_EQ(apps::model_sde(c, "x")->name(), "vp");  // a discrete model on the linear schedule (docs/math.md 4.4)
  c.sde = "subvp";
  EXPECT_EQ(apps::model_sde(c, "x")->name(), "subvp");
  c.sde.clear();
  c.schedule = "cosine";
  try {
    apps::model_sde(c, "--sampler pc");
    ADD_FAILURE() << "a cosine-schedule model was taken as the VP SDE";
  } catch (const apps::Error& e) {
    EXPECT_NE(std::string(e.what()).find("--sampler pc treats the model as the VP SDE"), std::string::npos) << e.what();
  }
}

TEST(SdeModel, ConfigJsonRecordsTheSdeAndStartsTheSameRunAgain) {
  TempDir dir;
  ASSERT_EQ(diffuse(train(dir / "a", {"--sde", "ve", "--sigma-max", "6"})).status, 0);
  const std::vector<std::string> flags = apps::train_config_flags(dir / "a/config.json");
  auto has = [&](const std::string& flag, const std::string& value) {
    for (size_t i = 0; i + 1 < flags.size(); ++i)
      if (flags[i] == flag && flags[i + 1] == value) return true;
    return false;
  };
  EXPECT_TRUE(has("--sde", "ve"));
  EXPECT_TRUE(has("--sigma-max", "6.0"));
  EXPECT_EQ(apps::load_checkpoint(dir / "a/model.safetensors").config.sigma_max, 6.0);
  ASSERT_EQ(diffuse({"train", "--config", dir / "a/config.json", "--out", dir / "b", "--log-every", "0"}).status, 0);
  EXPECT_TRUE(apps_test::read_bytes(dir / "a/model.safetensors") == apps_test::read_bytes(dir / "b/model.safetensors"));
  // A discrete run's config.json has no SDE keys.
  ASSERT_EQ(diffuse(train(dir / "d", {})).status, 0);
  const auto text = apps_test::read_bytes(dir / "d/config.json");
  EXPECT_EQ(std::string(text.begin(), text.end()).find("sde"), std::string::npos);
}

// The loss's t and eps come from the saved noise stream: a resumed --sde run
// ends with the files of an uninterrupted one.
TEST(SdeModel, ResumeGivesTheSameCheckpointAsAnUninterruptedRun) {
  TempDir dir;
  auto run = [&](const std::string& out, const std::string& steps, bool resume) {
    std::vector<std::string> args = {
        "train", "--data",       "moons", "--sde",       "ve", "--batch", "16",  "--width", "8", "--samples",
        "8",     "--ckpt-every", "10",    "--log-every", "0",  "--steps", steps, "--out",   out};
    if (resume) args.push_back("--resume");
    return diffuse(args).status;
  };
  ASSERT_EQ(run(dir / "whole", "20", false), 0);
  ASSERT_EQ(run(dir / "split", "10", false), 0);
  ASSERT_EQ(run(dir / "split", "20", true), 0);
  for (const std::string file : {"model.safetensors", "loss.csv", "samples.png"})
    EXPECT_TRUE(apps_test::read_bytes(dir / ("whole/" + file)) == apps_test::read_bytes(dir / ("split/" + file)))
        << file;
}

TEST(SdeModel, DefaultSigmaMaxFollowsTheData) {
  TempDir dir;
  ASSERT_EQ(diffuse(train(dir / "ve", {"--sde", "ve"})).status, 0);
  const apps::RunConfig c = apps::load_checkpoint(dir / "ve/model.safetensors").config;
  EXPECT_EQ(c.sigma_min, 0.01);
  EXPECT_EQ(c.sigma_max, apps::kVeSigmaMaxPoints);
}

TEST(SdeModel, RefusesWhatDoesNotFitTheSde) {
  TempDir dir;
  expect_fails_with(train(dir / "x", {"--sde", "ve", "--schedule", "cosine"}), "drop --schedule cosine");
  expect_fails_with(train(dir / "x", {"--sde", "subvp", "--pred", "v"}), "drop --pred v");
  expect_fails_with(train(dir / "x", {"--sigma-max", "5"}), "--sigma-min and --sigma-max are for --sde ve");
  expect_fails_with(train(dir / "x", {"--sde", "vp", "--sigma-min", "0.1"}), "are for --sde ve, not --sde vp");
  expect_fails_with(train(dir / "x", {"--sde", "ve", "--sigma-min", "5", "--sigma-max", "1"}),
                    "needs --sigma-min 5 below --sigma-max 1");
  expect_fails_with(train(dir / "x", {"--sde", "sub-vp"}), "--sde");
  ASSERT_FALSE(std::filesystem::exists(dir / "x"));

  const std::string run = dir / "ve";
  ASSERT_EQ(diffuse(train(run, {"--sde", "ve"})).status, 0);
  const std::string discrete = "needs a discrete DDPM model; this one was trained with --sde ve";
  for (const std::string sampler : {"ddim", "ddpm", "dpm-solver++2m", "edm-heun", "analytic-ddpm"})
    expect_fails_with({"sample", "--ckpt", run, "--sampler", sampler, "--n", "4", "--out", dir / "s.npy"},
                      "--sampler " + sampler + " " + discrete);
  expect_fails_with({"nll", "--ckpt", run, "--data", "moons", "--method", "elbo", "--n", "4"}, discrete);
  apps::write_npy(dir / "x0.npy", tensor::zeros({4, 2}));
  expect_fails_with({"invert", "--ckpt", run, "--in", dir / "x0.npy", "--out", dir / "xT.npy"}, discrete);
  expect_fails_with({"estimate-gamma", "--ckpt", run, "--data", "moons", "--n", "4"}, discrete);
}

}  // namespace
