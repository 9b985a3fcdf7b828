// The extras of a `diffuse train` run folder: samples-STEP.png pictures
// (--sample-every), numbered checkpoints (--keep), and config.json with
// --config FILE to start a run from one, and --recipe NAME.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "apps/commands/train_config.h"
#include "apps/io/png.h"
#include "cli_util.h"
#include "test_util.h"

namespace {

using apps_test::diffuse;
using apps_test::read_bytes;
using apps_test::Result;
using apps_test::TempDir;
namespace fs = std::filesystem;

// A small, quick run; `extra` adds or overrides flags.
Result small_run(const std::string& out, const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"train",     "--data", "moons",       "--batch", "32",    "--width", "16",
                                   "--samples", "10",     "--log-every", "0",       "--out", out};
  args.insert(args.end(), extra.begin(), extra.end());
  return diffuse(args);
}

TEST(TrainRunFolder, SampleEveryWritesPicturesAndLeavesTrainingAlone) {
  TempDir dir;
  ASSERT_EQ(small_run(dir / "pictures", {"--steps", "40", "--sample-every", "20"}).status, 0);
  ASSERT_EQ(small_run(dir / "plain", {"--steps", "40"}).status, 0);
  for (const char* name : {"samples-20.png", "samples-40.png"}) {
    ASSERT_TRUE(fs::exists(fs::path(dir / "pictures") / name)) << name;
    EXPECT_GT(apps::read_png(dir / "pictures/" + name).width, 0) << name;
  }
  EXPECT_FALSE(fs::exists(dir / "plain/samples-20.png"));
  // Sampling borrows the EMA weights and draws from its own streams: the
  // training itself is the same bit for bit.
  EXPECT_TRUE(read_bytes(dir / "pictures/model.safetensors") == read_bytes(dir / "plain/model.safetensors"));
  // The last picture is the final one (same weights, same x_T).
  EXPECT_TRUE(read_bytes(dir / "pictures/samples-40.png") == read_bytes(dir / "pictures/samples.png"));
}

TEST(TrainRunFolder, KeepHoldsTheLatestNumberedCheckpoints) {
  TempDir dir;
  ASSERT_EQ(small_run(dir / "run", {"--steps", "50", "--ckpt-every", "10", "--keep", "2"}).status, 0);
  for (int step : {10, 20, 30}) EXPECT_FALSE(fs::exists(dir / fmt::format("run/model-{}.safetensors", step)));
  EXPECT_TRUE(read_bytes(dir / "run/model-50.safetensors") == read_bytes(dir / "run/model.safetensors"));
  // model-40 is the run as it stood at step 40: a 40-step run's checkpoint.
  ASSERT_EQ(small_run(dir / "short", {"--steps", "40", "--ckpt-every", "10"}).status, 0);
  EXPECT_TRUE(read_bytes(dir / "run/model-40.safetensors") == read_bytes(dir / "short/model.safetensors"));
  EXPECT_FALSE(fs::exists(dir / "short/model-40.safetensors"));  // --keep 0: none
}

TEST(TrainRunFolder, ConfigJsonStartsTheSameRun) {
  TempDir dir;
  ASSERT_EQ(small_run(dir / "a", {"--steps", "30", "--lr", "1e-3", "--seed", "4", "--no-ema-warmup"}).status, 0);
  std::ifstream file(dir / "a/config.json");
  const nlohmann::json config = nlohmann::json::parse(file);
  EXPECT_EQ(config["data"], "moons");
  EXPECT_EQ(config["steps"], 30);
  EXPECT_EQ(config["lr"], 1e-3);
  EXPECT_EQ(config["seed"], 4);
  EXPECT_EQ(config["ema-warmup"], false);
  EXPECT_FALSE(config.contains("out"));

  // The same settings from the file alone: the same run, byte for byte.
  ASSERT_EQ(diffuse({"train", "--config", dir / "a/config.json", "--out", dir / "b", "--log-every", "0"}).status, 0);
  EXPECT_TRUE(read_bytes(dir / "a/model.safetensors") == read_bytes(dir / "b/model.safetensors"));
  EXPECT_TRUE(read_bytes(dir / "a/config.json") == read_bytes(dir / "b/config.json"));
  // Flags typed with --config win over the file's.
  ASSERT_EQ(diffuse({"train", "--steps", "20", "--config", dir / "a/config.json", "--out", dir / "c"}).status, 0);
  std::ifstream c_file(dir / "c/config.json");
  EXPECT_EQ(nlohmann::json::parse(c_file)["steps"], 20);

  std::ofstream(dir / "bad.json") << R"({"lr": 1e-3, "lrr": 2})";
  apps_test::expect_fails_with({"train", "--config", dir / "bad.json", "--out", dir / "d"}, "unknown setting 'lrr'");
  std::ofstream(dir / "range.json") << R"({"data": "moons", "lr": 5})";
  apps_test::expect_fails_with({"train", "--config", dir / "range.json", "--out", dir / "d"}, "--lr: '5'");
}

// --recipe fast puts its settings in, under --config's and the typed flags.
TEST(TrainRunFolder, RecipeSettingsGoInAndTypedFlagsWin) {
  TempDir dir;
  // Typed flags make it a small moons run; the recipe's other settings stay.
  const std::vector<std::string> typed = {"--data", "moons", "--model", "mlp", "--steps", "3", "--warmup", "0",
                                          "--ema",  "0.9"};
  std::vector<std::string> args = {"--recipe", "fast"};
  args.insert(args.end(), typed.begin(), typed.end());
  ASSERT_EQ(small_run(dir / "r", args).status, 0);
  std::ifstream file(dir / "r/config.json");
  const nlohmann::json config = nlohmann::json::parse(file);
  const std::vector<std::string> recipe = apps::train_recipe_flags("fast");
  ASSERT_EQ(recipe.size() % 2, 0u);
  int from_recipe = 0;
  for (size_t i = 0; i < recipe.size(); i += 2) {
    const std::string key = recipe[i].substr(2);
    if (std::find(typed.begin(), typed.end(), recipe[i]) != typed.end() || key == "batch") continue;  // overridden
    ASSERT_TRUE(config.contains(key)) << key;
    if (config[key].is_string())
      EXPECT_EQ(config[key], recipe[i + 1]) << key;
    else
      EXPECT_DOUBLE_EQ(config[key].get<double>(), std::stod(recipe[i + 1])) << key;
    ++from_recipe;
  }
  EXPECT_GE(from_recipe, 2);
  EXPECT_EQ(config["data"], "moons");
  EXPECT_EQ(config["steps"], 3);
  EXPECT_EQ(config["batch"], 32);  // small_run's --batch, typed after the recipe's
  EXPECT_EQ(config["ema"], 0.9);
  apps_test::expect_fails_with({"train", "--recipe", "slow", "--out", dir / "x"}, "--recipe slow: unknown recipe");
}

}  // namespace
