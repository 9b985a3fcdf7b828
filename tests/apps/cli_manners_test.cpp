// The command line's manners (apps/cli_manners.h): --threads anywhere,
// "did you mean", --version, and each flag that is refused or warned about
// instead of being ignored silently (docs/cli.md, "Errors and warnings").
#include "apps/cli_manners.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "apps/io/npy.h"
#include "apps/progress.h"
#include "cli_util.h"
#include "tensor/build_info.h"
#include "tensor/ops.h"
#include "tensor/random.h"
#include "test_util.h"

namespace {

using apps_test::diffuse;
using apps_test::expect_fails_with;
using apps_test::Result;
using apps_test::TempDir;
using apps_test::write_gmm;

// Restores the thread count a test changes through --threads (the tests share one process).
class KeepThreads {
 public:
  KeepThreads() : threads_(tensor::get_num_threads()) {}
  ~KeepThreads() { tensor::set_num_threads(threads_); }

 private:
  int threads_;
};

// A test folder with the small mixture as an oracle ("gmm:FILE") and 20 2-D points.
struct Oracle {
  TempDir dir;
  std::string gmm = "gmm:" + (dir / "gmm.json");
  std::string points = dir / "points.npy";
  std::string data = "npy:" + points;
  Oracle() {
    write_gmm(dir / "gmm.json");
    tensor::Generator gen(5);
    apps::write_npy(points, tensor::randn({20, 2}, gen));
  }
};

TEST(CliManners, EditDistanceCountsSwapsAsOne) {
  EXPECT_EQ(apps::edit_distance("--steps", "--steps"), 0);
  EXPECT_EQ(apps::edit_distance("--step", "--steps"), 1);
  EXPECT_EQ(apps::edit_distance("--setps", "--steps"), 1);  // one swap, not two substitutions
  EXPECT_EQ(apps::edit_distance("kitten", "sitting"), 3);
  const std::vector<std::string> names = {"--steps", "--seed", "--sampler", "--n"};
  EXPECT_EQ(apps::closest_name("--step", names), "--steps");
  EXPECT_EQ(apps::closest_name("--sampl", names), "--sampler");  // a prefix
  EXPECT_EQ(apps::closest_name("--x", names), "");               // "--n" is one edit away, but so is anything
  EXPECT_EQ(apps::closest_name("--volume", names), "");
}

TEST(CliManners, ThreadsAfterTheSubcommand) {
  KeepThreads keep;
  Oracle o;
  const Result r =
      diffuse({"sample", "--oracle", o.gmm, "--steps", "5", "--n", "10", "--out", o.dir / "x.npy", "--threads", "1"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(tensor::get_num_threads(), 1);
}

TEST(CliManners, DidYouMean) {
  Oracle o;
  expect_fails_with({"sample", "--oracle", o.gmm, "--step", "5", "--out", o.dir / "x.npy"}, "did you mean --steps?");
  expect_fails_with({"sample", "--oracle", o.gmm, "--sampl", "ddim", "--out", o.dir / "x.npy"},
                    "did you mean --sampler?");
  expect_fails_with({"nll", "--oracle", o.gmm, "--data", o.data, "--mehtod", "elbo"}, "did you mean --method?");
  expect_fails_with({"smaple", "--oracle", o.gmm}, "did you mean sample?");
  // Nothing close: no guess.
  const Result r = diffuse({"sample", "--oracle", o.gmm, "--volume", "3", "--out", o.dir / "x.npy"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err.find("did you mean"), std::string::npos) << r.err;
}

TEST(CliManners, VersionSaysWhatTheBuildRunsOn) {
  const Result r = diffuse({"--version"});
  EXPECT_EQ(r.status, 0) << r.err;
  for (const char* line : {"diffuse ", "BLAS: ", "BLAS core: ", "vector width: ", "threads: ", "CUDA: ", "MPI: "})
    EXPECT_NE(r.out.find(line), std::string::npos) << line << " in\n" << r.out;
  EXPECT_EQ(r.out, apps::version_text() + "\n");
}

TEST(CliManners, VersionReportsTheThreadsAskedFor) {
  const int saved = tensor::get_num_threads();
  const Result r = diffuse({"--threads", "64", "--version"});
  tensor::set_num_threads(saved);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("threads: 64 (cores: "), std::string::npos) << r.out;
  if (tensor::build_facts().cpus < 64)  // more threads than cores: the pool says how many work
    EXPECT_NE(r.out.find("work at once"), std::string::npos) << r.out;
}

TEST(CliManners, EtaOnlyWithTheDdimSamplers) {
  Oracle o;
  expect_fails_with({"sample", "--oracle", o.gmm, "--sampler", "ddpm", "--eta", "0.5", "--out", o.dir / "x.npy"},
                    "--eta 0.5 applies to ddim and the *-ddim samplers, not to --sampler ddpm");
  const Result r = diffuse({"sample", "--oracle", o.gmm, "--sampler", "ddim", "--eta", "0.5", "--steps", "5", "--n",
                            "10", "--out", o.dir / "x.npy"});
  EXPECT_EQ(r.status, 0) << r.err;
}

TEST(CliManners, NWithXTIsRefused) {
  Oracle o;
  expect_fails_with({"sample", "--oracle", o.gmm, "--x-T", o.points, "--n", "10", "--out", o.dir / "x.npy"},
                    "--n 10 with --x-T");
}

TEST(CliManners, StepsWithTheOdeNllIsRefused) {
  Oracle o;
  expect_fails_with({"nll", "--oracle", o.gmm, "--data", o.data, "--method", "ode", "--steps", "10"},
                    "--steps 10 applies to --method elbo");
}

TEST(CliManners, NllNBeyondTheDataWarns) {
  Oracle o;
  const Result r =
      diffuse({"nll", "--oracle", o.gmm, "--data", o.data, "--method", "elbo", "--steps", "10", "--n", "50"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "warning: --n 50 is more than the 20 examples of --data " + o.data + "; evaluating all 20\n");
  EXPECT_NE(r.out.find("over 20 points"), std::string::npos) << r.out;
}

TEST(CliManners, NegativeSeedIsRefused) {
  Oracle o;
  expect_fails_with({"sample", "--oracle", o.gmm, "--seed", "-1", "--out", o.dir / "x.npy"},
                    "--seed: -1 is not a seed (a whole number in [0, 2^64 - 1])");
}

TEST(CliManners, ThreadsFarBeyondTheCoresWarn) {
  KeepThreads keep;
  Oracle o;
  const int too_many = 2 * tensor::build_facts().cpus + 1;
  const Result r = diffuse({"--threads", std::to_string(too_many), "sample", "--oracle", o.gmm, "--steps", "2", "--n",
                            "4", "--out", o.dir / "x.npy"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err.rfind("warning: --threads " + std::to_string(too_many) + " is more than twice", 0), 0) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(CliManners, ResumeRefusesADifferentLrOrBatch) {
  TempDir dir;
  const std::string run = dir / "run";
  const std::vector<std::string> base = {"train",     "--data", "moons",        "--out", run,
                                         "--samples", "10",     "--ckpt-every", "0"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  ASSERT_EQ(diffuse(with({"--steps", "2", "--batch", "16", "--lr", "1e-3"})).status, 0);
  expect_fails_with(with({"--resume", "--steps", "4", "--lr", "2e-4"}),
                    "--resume with --lr 0.0002: the run in " + run + " trains with --lr 0.001");
  expect_fails_with(with({"--resume", "--steps", "4", "--batch", "32"}),
                    "--resume with --batch 32: the run in " + run + " trains with --batch 16");
  // The same values, or none, continue the run.
  const Result r = diffuse(with({"--resume", "--steps", "4", "--batch", "16", "--lr", "1e-3"}));
  EXPECT_EQ(r.status, 0) << r.err;
}

TEST(CliManners, SampleChecksItsOutputBeforeSampling) {
  TempDir dir;
  // No such checkpoint either: the output is checked first, before the model is loaded.
  expect_fails_with({"sample", "--ckpt", dir / "no-run", "--out", dir / "missing/x.png"},
                    "the directory " + (dir / "missing") + " does not exist");
  std::filesystem::create_directory(dir / "d.png");
  expect_fails_with({"sample", "--ckpt", dir / "no-run", "--out", dir / "d.png"}, "is a directory");
}

TEST(CliManners, ProgressInTenthsForLogs) {
  std::ostringstream log;
  apps::Progress progress(40, 0, "nll point", false);  // not drawn, as when stderr is a file
  progress.print_tenths(log);
  for (int64_t step = 1; step <= 40; ++step) progress.update(step);
  std::vector<std::string> lines;
  std::istringstream in(log.str());
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 10u) << log.str();
  EXPECT_EQ(lines[0].rfind("nll point 4/40  ", 0), 0u) << lines[0];
  EXPECT_EQ(lines[9].rfind("nll point 40/40  ", 0), 0u) << lines[9];

  // A short run adds nothing to a log: lines start only after_seconds into the run.
  std::ostringstream quiet;
  apps::Progress short_run(40, 0, "nll point", false);
  short_run.print_tenths(quiet, 3600);
  for (int64_t step = 1; step <= 40; ++step) short_run.update(step);
  EXPECT_EQ(quiet.str(), "");
}

}  // namespace
