// What `diffuse train` leaves for someone watching a log or a run folder:
// plain progress lines on stdout, loss.csv rows from the first step on (not
// only at checkpoints), and a resume that cuts loss.csv back to its
// checkpoint so the file equals an uninterrupted run's.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "apps/io/npy.h"
#include "cli_util.h"
#include "tensor/ops.h"
#include "test_util.h"

namespace {

using apps_test::diffuse;
using apps_test::read_bytes;
using apps_test::Result;
using apps_test::TempDir;
namespace fs = std::filesystem;

const std::vector<std::string> kSmallRun = {"train",   "--data", "moons",     "--batch", "32",
                                            "--width", "16",     "--samples", "10"};

std::vector<std::string> small_run(const std::vector<std::string>& extra) {
  std::vector<std::string> args = kSmallRun;
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(TrainLog, ProgressLinesEveryNSteps) {
  TempDir dir;
  const Result r = diffuse(small_run({"--steps", "30", "--log-every", "10", "--out", dir / "run"}));
  ASSERT_EQ(r.status, 0) << r.err;
  const std::vector<std::string> lines = lines_of(r.out);
  ASSERT_GE(lines.size(), 5u) << r.out;  // the header, steps 10, 20, 30, the final loss (and notes)
  EXPECT_EQ(lines[0].rfind("training mlp", 0), 0u) << r.out;
  for (int i = 1; i <= 3; ++i) {
    EXPECT_EQ(lines[i].rfind(fmt::format("step {}/30  ", 10 * i), 0), 0u) << lines[i];
    EXPECT_NE(lines[i].find(" it/s"), std::string::npos) << lines[i];
    EXPECT_NE(lines[i].find("  loss "), std::string::npos) << lines[i];
  }
  EXPECT_EQ(lines[4].rfind("final loss", 0), 0u) << r.out;

  const Result quiet = diffuse(small_run({"--steps", "30", "--log-every", "0", "--out", dir / "quiet"}));
  ASSERT_EQ(quiet.status, 0) << quiet.err;
  EXPECT_EQ(quiet.out.find("step "), std::string::npos) << quiet.out;
}

TEST(TrainLog, LossCsvHasEveryStepBeforeTheFirstCheckpoint) {
  // 800 points, one of them NaN, batch 8: the run stops at the step whose
  // batch holds it, long before its first checkpoint (step 1000).
  TempDir dir;
  std::vector<float> xy(1600, 0.5f);
  xy[2 * 400] = NAN;
  apps::write_npy(dir / "nan.npy", tensor::from_vector(xy, {800, 2}));
  const Result r = diffuse({"train", "--data", "npy:" + (dir / "nan.npy"), "--batch", "8", "--width", "16", "--steps",
                            "200", "--out", dir / "run", "--log-every", "0"});
  ASSERT_EQ(r.status, 2);
  const size_t at = r.err.find("loss is NaN at step ");
  ASSERT_NE(at, std::string::npos) << r.err;
  const int nan_step = std::stoi(r.err.substr(at + 20));
  ASSERT_GE(nan_step, 3) << "pick a NaN row that comes later in the first epoch";
  EXPECT_FALSE(fs::exists(dir / "run/model.safetensors"));
  std::ifstream csv(dir / "run/loss.csv");
  std::stringstream text;
  text << csv.rdbuf();
  const std::vector<std::string> lines = lines_of(text.str());
  ASSERT_EQ(static_cast<int>(lines.size()), nan_step) << text.str();  // the header and steps 1 .. nan_step - 1
  EXPECT_EQ(lines[0], "step,loss");
  for (int step = 1; step < nan_step; ++step) EXPECT_EQ(lines[step].rfind(fmt::format("{},", step), 0), 0u);
}

TEST(TrainLog, ResumeCutsRowsWrittenAfterTheCheckpoint) {
  TempDir dir;
  const std::vector<std::string> common = {"--ckpt-every", "20", "--seed", "3", "--log-every", "0"};
  auto run = [&](const std::string& steps, const std::string& out, bool resume) {
    std::vector<std::string> args = small_run(common);
    for (const std::string& a : {std::string("--steps"), steps, std::string("--out"), out}) args.push_back(a);
    if (resume) args.push_back("--resume");
    return diffuse(args);
  };
  ASSERT_EQ(run("60", dir / "whole", false).status, 0);
  // A run killed after writing the rows of steps 21 and 22 and half of 23,
  // with its last checkpoint at step 20.
  ASSERT_EQ(run("20", dir / "killed", false).status, 0);
  std::ofstream(dir / "killed/loss.csv", std::ios::app) << "21,0.5\n22,0.25\n23,0.1";
  const Result resumed = run("60", dir / "killed", true);
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_TRUE(read_bytes(dir / "whole/loss.csv") == read_bytes(dir / "killed/loss.csv"));
  EXPECT_TRUE(read_bytes(dir / "whole/model.safetensors") == read_bytes(dir / "killed/model.safetensors"));

  // Rows missing before the checkpoint cannot be made up: an error names the file.
  ASSERT_EQ(run("20", dir / "short", false).status, 0);
  std::filesystem::resize_file(dir / "short/loss.csv", 40);
  apps_test::expect_fails_with(small_run({"--steps", "60", "--out", dir / "short", "--resume"}), "loss.csv: has ");
}

}  // namespace
