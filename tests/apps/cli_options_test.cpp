// The training and sampling knobs of `diffuse`: train's lr schedule
// (--lr-schedule, --warmup, --lr-decay-steps) and gradient clipping
// (--clip-grad), the U-Net's --ch-mult and --attn-res, and sample's PC
// corrector (--snr, --corrector-steps): what
// they change, that a resumed run follows the same schedule bit for bit, and
// their errors.
#include <gtest/gtest.h>

#include <filesystem>

#include "apps/commands/checkpoint.h"
#include "apps/io/npy.h"
#include "cli_util.h"
#include "nn/models/unet.h"
#include "tensor/random.h"
#include "test_util.h"

namespace {

using apps_test::diffuse;
using apps_test::expect_fails_with;
using apps_test::Result;
using apps_test::TempDir;

// The live (trained) weights of a run, as one list of floats.
std::vector<float> live_weights(const std::string& run) {
  std::vector<float> all;
  for (const auto& [name, t] : apps::load_checkpoint(run + "/model.safetensors").live) {
    const std::vector<float> v = t.to_vector<float>();
    all.insert(all.end(), v.begin(), v.end());
  }
  return all;
}

std::vector<std::string> moons(const std::string& out, int steps, std::vector<std::string> extra) {
  std::vector<std::string> args = {"train",
                                   "--data",
                                   "moons",
                                   "--batch",
                                   "32",
                                   "--width",
                                   "16",
                                   "--samples",
                                   "10",
                                   "--seed",
                                   "3",
                                   "--steps",
                                   std::to_string(steps),
                                   "--out",
                                   out};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST(CliLrSchedule, CosineReachesZeroAtLrDecaySteps) {
  // Decaying to 0 at step 1: steps 2 and 3 run with lr 0 (AdamW's decay is lr-scaled too), so the weights stay
  // those after step 1; with the constant lr they move on.
  TempDir dir;
  for (const int steps : {1, 3}) {
    const std::string n = std::to_string(steps);
    ASSERT_EQ(diffuse(moons(dir / ("cos" + n), steps, {"--lr-schedule", "cosine", "--lr-decay-steps", "1"})).status, 0);
    ASSERT_EQ(diffuse(moons(dir / ("const" + n), steps, {})).status, 0);
  }
  EXPECT_EQ(live_weights(dir / "cos1"), live_weights(dir / "cos3"));
  EXPECT_EQ(live_weights(dir / "cos1"), live_weights(dir / "const1"));  // step 1 has the full lr
  EXPECT_NE(live_weights(dir / "const1"), live_weights(dir / "const3"));
}

TEST(CliLrSchedule, WarmupAndClippingChangeTheWeightsAndAHugeClipDoesNot) {
  TempDir dir;
  ASSERT_EQ(diffuse(moons(dir / "plain", 5, {})).status, 0);
  ASSERT_EQ(diffuse(moons(dir / "warm", 5, {"--warmup", "100"})).status, 0);
  ASSERT_EQ(diffuse(moons(dir / "clip", 5, {"--clip-grad", "1e-3"})).status, 0);
  ASSERT_EQ(diffuse(moons(dir / "loose", 5, {"--clip-grad", "1e20"})).status, 0);
  const std::vector<float> plain = live_weights(dir / "plain");
  EXPECT_NE(live_weights(dir / "warm"), plain);
  EXPECT_NE(live_weights(dir / "clip"), plain);
  EXPECT_EQ(live_weights(dir / "loose"), plain);  // a norm below the bound leaves the gradients as they are
  const apps::RunConfig c = apps::load_checkpoint(dir / "clip/model.safetensors").config;
  EXPECT_EQ(c.clip_grad, 1e-3);
  EXPECT_EQ(c.lr_schedule, "constant");
}

TEST(CliLrSchedule, ResumeFollowsTheSameScheduleBitForBit) {
  TempDir dir;
  const std::vector<std::string> schedule = {"--lr",        "1e-3", "--lr-schedule",    "cosine",
                                             "--warmup",    "10",   "--lr-decay-steps", "100",
                                             "--clip-grad", "0.5",  "--ckpt-every",     "30"};
  ASSERT_EQ(diffuse(moons(dir / "whole", 100, schedule)).status, 0);
  ASSERT_EQ(diffuse(moons(dir / "split", 30, schedule)).status, 0);
  std::vector<std::string> resume = moons(dir / "split", 100, {"--resume"});  // the schedule comes from the checkpoint
  const Result resumed = diffuse(resume);
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_TRUE(apps_test::read_bytes(dir / "whole/model.safetensors") ==
              apps_test::read_bytes(dir / "split/model.safetensors"));
  EXPECT_TRUE(apps_test::read_bytes(dir / "whole/loss.csv") == apps_test::read_bytes(dir / "split/loss.csv"));
  expect_fails_with(moons(dir / "split", 200, {"--resume", "--warmup", "5"}),
                    "trains with --lr-schedule cosine --warmup 10 --lr-decay-steps 100 --clip-grad 0.5");
}

TEST(CliLrSchedule, Errors) {
  TempDir dir;
  expect_fails_with(moons(dir / "a", 10, {"--lr-schedule", "linear"}), "--lr-schedule");
  expect_fails_with(moons(dir / "b", 10, {"--lr-schedule", "cosine", "--warmup", "10"}),
                    "--lr-decay-steps (or --steps) 10 must exceed --warmup 10");
  expect_fails_with(moons(dir / "c", 10, {"--lr-decay-steps", "5"}), "is for --lr-schedule cosine");
  expect_fails_with(moons(dir / "d", 10, {"--clip-grad", "-1"}), "--clip-grad");
}

// --loss-weight min-snr (12.9): it changes the weights, goes into the checkpoint
// and config.json only when asked for, and a resumed run keeps it bit for bit.
TEST(CliLossWeight, MinSnrTrainsResumesAndIsSaved) {
  TempDir dir;
  const std::vector<std::string> min_snr = {"--loss-weight", "min-snr", "--min-snr-gamma", "2", "--ckpt-every", "5"};
  ASSERT_EQ(diffuse(moons(dir / "plain", 10, {})).status, 0);
  ASSERT_EQ(diffuse(moons(dir / "whole", 10, min_snr)).status, 0);
  ASSERT_EQ(diffuse(moons(dir / "split", 5, min_snr)).status, 0);
  const Result resumed = diffuse(moons(dir / "split", 10, {"--resume"}));
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_NE(live_weights(dir / "whole"), live_weights(dir / "plain"));
  EXPECT_TRUE(apps_test::read_bytes(dir / "whole/model.safetensors") ==
              apps_test::read_bytes(dir / "split/model.safetensors"));
  const apps::RunConfig c = apps::load_checkpoint(dir / "whole/model.safetensors").config;
  EXPECT_EQ(c.loss_weight, "min-snr");
  EXPECT_EQ(c.min_snr_gamma, 2.0);
  EXPECT_EQ(apps::load_checkpoint(dir / "plain/model.safetensors").config.loss_weight, "pred");
  const std::string whole_config = apps_test::read_text(dir / "whole/config.json");
  EXPECT_NE(whole_config.find("\"loss-weight\": \"min-snr\""), std::string::npos) << whole_config;
  EXPECT_EQ(apps_test::read_text(dir / "plain/config.json").find("loss-weight"), std::string::npos);
  // --config starts the same run again.
  const Result again = diffuse({"train", "--config", dir / "whole/config.json", "--out", dir / "again"});
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(live_weights(dir / "again"), live_weights(dir / "whole"));
  expect_fails_with(moons(dir / "split", 20, {"--resume", "--min-snr-gamma", "3"}),
                    "trains with --loss-weight min-snr");
  expect_fails_with(moons(dir / "e", 5, {"--min-snr-gamma", "3"}), "--min-snr-gamma is for --loss-weight min-snr");
  expect_fails_with(moons(dir / "f", 5, {"--loss-weight", "snr"}), "--loss-weight");
}

TEST(CliPcSampler, SnrAndCorrectorStepsReachTheCorrector) {
  TempDir dir;
  apps_test::write_gmm(dir / "g.json");
  auto pc = [&](const std::string& name, std::vector<std::string> extra) {
    std::vector<std::string> args = {
        "sample", "--oracle", "gmm:" + (dir / "g.json"), "--sampler", "pc", "--steps", "10", "--n", "64", "--seed",
        "1",      "--out",    dir / (name + ".npy")};
    args.insert(args.end(), extra.begin(), extra.end());
    const Result r = diffuse(args);
    EXPECT_EQ(r.status, 0) << r.err;
    return r.out;
  };
  pc("default", {});
  pc("same", {"--snr", "0.16", "--corrector-steps", "1"});
  pc("snr", {"--snr", "0.3"});
  const std::string three = pc("three", {"--corrector-steps", "3"});
  // K predictor steps and M corrector steps after each but the last: 10 + 3 * 9 evaluations.
  EXPECT_NE(three.find("37 model evaluations"), std::string::npos) << three;
  auto bytes = [&](const std::string& name) { return apps_test::read_bytes(dir / (name + ".npy")); };
  EXPECT_TRUE(bytes("same") == bytes("default"));
  EXPECT_FALSE(bytes("snr") == bytes("default"));
  EXPECT_FALSE(bytes("three") == bytes("default"));
  expect_fails_with(
      {"sample", "--oracle", "gmm:" + (dir / "g.json"), "--sampler", "ddim", "--snr", "0.2", "--out", dir / "x.npy"},
      "--snr 0.2 applies to --sampler pc, not to --sampler ddim");
  expect_fails_with({"sample", "--oracle", "gmm:" + (dir / "g.json"), "--sampler", "pc", "--corrector-steps", "0",
                     "--out", dir / "x.npy"},
                    "--corrector-steps");
}

TEST(CliUnetShape, ChMultAndAttnResBuildTheNetworkTheyName) {
  TempDir dir;
  tensor::Generator gen(2);
  apps::write_npy(dir / "img.npy", tensor::randn({8, 1, 8, 8}, gen));
  const std::string data = "npy:" + (dir / "img.npy");
  auto unet = [&](const std::string& out, std::vector<std::string> extra) {
    std::vector<std::string> args = {"train", "--data",  data, "--model",   "unet", "--ch",  "8",      "--steps",
                                     "2",     "--batch", "4",  "--samples", "2",    "--out", dir / out};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  const Result r = diffuse(unet("run", {"--ch-mult", "1,2", "--attn-res", "8"}));
  ASSERT_EQ(r.status, 0) << r.err;
  const nn::UNetConfig c =
      nn::UNetConfig::from_json(apps::load_checkpoint(dir / "run/model.safetensors").config.model_json);
  EXPECT_EQ(c.channel_mult, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(c.attention_levels, (std::vector<int64_t>{0}));  // side 8 is level 0
  const Result deep = diffuse(unet("deep", {"--ch-mult", "1,1,2,2", "--attn-res", "4,2"}));
  ASSERT_EQ(deep.status, 0) << deep.err;
  EXPECT_EQ(nn::UNetConfig::from_json(apps::load_checkpoint(dir / "deep/model.safetensors").config.model_json)
                .attention_levels,
            (std::vector<int64_t>{1, 2}));
  const Result sample = diffuse({"sample", "--ckpt", dir / "run", "--steps", "3", "--n", "2", "--out", dir / "x.npy"});
  ASSERT_EQ(sample.status, 0) << sample.err;
  EXPECT_EQ(apps::read_npy(dir / "x.npy").shape(), (tensor::Shape{2, 1, 8, 8}));
  expect_fails_with(unet("e1", {"--ch-mult", "1,1,1,1,1"}),
                    "halves the image 4 times, so H and W must be multiples of 16");
  expect_fails_with(unet("e2", {"--attn-res", "3"}), "--attn-res 3: the levels of this U-Net work at sides 8, 4");
  expect_fails_with(unet("e3", {"--ch-mult", "1"}), "give 2 to 7 multipliers");
  expect_fails_with(unet("e4", {"--ch-mult", "1,x"}), "--ch-mult 1,x");
}

}  // namespace
