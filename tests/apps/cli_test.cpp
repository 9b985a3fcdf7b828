// End-to-end tests of the `diffuse` command, run in process through
// run_cli with real argument lists: training, every sampler, resume, the
// oracle, inversion, and every error path (one line on stderr, exit 2).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "apps/cli.h"
#include "apps/commands/checkpoint.h"
#include "apps/io/npy.h"
#include "apps/io/png.h"
#include "diffusion/metrics.h"
#include "diffusion/oracle.h"
#include "tensor/ops.h"
#include "tensor/random.h"
#include "cli_util.h"
#include "test_util.h"

namespace {

using apps_test::TempDir;
namespace fs = std::filesystem;

using apps_test::all_finite;
using apps_test::diffuse;
using apps_test::expect_fails_with;
using apps_test::Result;
using apps_test::write_gmm;

const std::vector<std::string> kSamplers = {"ddpm",   "ddpm-tilde", "ddim",     "sde-em",
                                            "pc",     "ode-euler",  "ode-heun", "ode-rk45",
                                            "dpm-solver++2m", "dpm-solver++3m", "edm-heun"};

TEST(Cli, HelpForEverySubcommand) {
  for (const char* cmd : {"train", "sample", "invert", "nll"}) {
    const Result r = diffuse({cmd, "--help"});
    EXPECT_EQ(r.status, 0) << cmd;
    EXPECT_NE(r.out.find("--"), std::string::npos) << cmd;
  }
  EXPECT_NE(diffuse({"train", "--help"}).out.find("--ckpt-every"), std::string::npos);
  EXPECT_NE(diffuse({"sample", "--help"}).out.find("ode-rk45"), std::string::npos);
}

TEST(Cli, TrainMlpOnMoonsThenSampleWithEverySampler) {
  TempDir dir;
  const std::string run = dir / "run";
  const Result train = diffuse({"train", "--data", "moons", "--model", "mlp", "--steps", "200", "--batch", "256",
                                "--out", run, "--samples", "500"});
  ASSERT_EQ(train.status, 0) << train.err;
  // With the EMA warm-up the initial weights keep 1 / C(209, 9) of the average, too little for a note.
  EXPECT_EQ(train.out.find("the EMA weights are still"), std::string::npos) << train.out;
  for (const char* file : {"model.safetensors", "loss.csv", "loss.svg", "samples.png"})
    EXPECT_TRUE(fs::exists(fs::path(run) / file)) << file;
  std::ifstream csv(fs::path(run) / "loss.csv");
  std::string line;
  int rows = 0;
  double first = 0, last = 0;
  std::getline(csv, line);
  EXPECT_EQ(line, "step,loss");
  while (std::getline(csv, line)) {
    const double loss = std::stod(line.substr(line.find(',') + 1));
    if (rows++ == 0) first = loss;
    last = loss;
  }
  EXPECT_EQ(rows, 200);
  EXPECT_LT(last, first);  // it learns something (eps-MSE starts near 1)

  for (const std::string& sampler : kSamplers) {
    const std::string npy = dir / (sampler + ".npy"), png = dir / (sampler + ".png");
    for (const std::string& out : {npy, png}) {
      const Result r = diffuse({"sample", "--ckpt", run, "--sampler", sampler, "--steps", "20", "--n", "64", "--seed",
                                "3", "--out", out});
      ASSERT_EQ(r.status, 0) << sampler << ": " << r.err;
    }
    const tensor::Tensor x = apps::read_npy(npy);
    EXPECT_EQ(x.shape(), (tensor::Shape{64, 2})) << sampler;
    EXPECT_TRUE(all_finite(x)) << sampler;
    EXPECT_EQ(apps::read_png(png).width, 640) << sampler;
  }
  // The same seed gives the same samples; --no-ema gives other ones.
  diffuse({"sample", "--ckpt", run, "--steps", "20", "--n", "64", "--seed", "3", "--out", dir / "again.npy"});
  EXPECT_EQ(apps::read_npy(dir / "again.npy").to_vector<float>(), apps::read_npy(dir / "ddim.npy").to_vector<float>());
  diffuse({"sample", "--ckpt", run, "--steps", "20", "--n", "64", "--seed", "3", "--no-ema", "--out", dir / "live.npy"});
  EXPECT_NE(apps::read_npy(dir / "live.npy").to_vector<float>(), apps::read_npy(dir / "ddim.npy").to_vector<float>());
}

TEST(Cli, EmaWarmupIsTheDefaultAndTheCheckpointKeepsTheChoice) {
  TempDir dir;
  const std::vector<std::string> args = {"train", "--data",    "moons", "--batch",     "32", "--width", "16", "--steps",
                                         "50",    "--samples", "10",    "--log-every", "0",  "--out"};
  auto run = [&](const std::string& out, const std::string& flag) {
    std::vector<std::string> a = args;
    a.push_back(out);
    if (!flag.empty()) a.push_back(flag);
    return diffuse(a);
  };
  const Result warm = run(dir / "warm", ""), plain = run(dir / "plain", "--no-ema-warmup");
  ASSERT_EQ(warm.status, 0) << warm.err;
  ASSERT_EQ(plain.status, 0) << plain.err;
  EXPECT_EQ(warm.out.find("EMA weights are still"), std::string::npos) << warm.out;
  EXPECT_NE(plain.out.find("after 50 steps the EMA weights are still 95% the initial ones"), std::string::npos)
      << plain.out;  // 0.999^50
  EXPECT_TRUE(apps::load_checkpoint(dir / "warm/model.safetensors").config.ema_warmup);
  EXPECT_FALSE(apps::load_checkpoint(dir / "plain/model.safetensors").config.ema_warmup);
  // The live weights train alike; only the averages differ.
  EXPECT_TRUE(apps_test::read_bytes(dir / "warm/loss.csv") == apps_test::read_bytes(dir / "plain/loss.csv"));
}

TEST(Cli, TrainUnetOnAPngFolderThenSampleAGrid) {
  TempDir dir;
  fs::create_directories(dir / "images");
  for (int i = 0; i < 8; ++i) {  // 8 gray 8x8 images: a bright square that moves
    apps::Image img(8, 8, 1, 0);
    for (int y = 2; y < 5; ++y)
      for (int x = i % 4; x < i % 4 + 3; ++x) img.at(x, y)[0] = 255;
    apps::write_png(dir / ("images/" + std::to_string(i) + ".png"), img);
  }
  const std::string run = dir / "run";
  const Result train = diffuse({"train", "--data", "png:" + (dir / "images"), "--model", "unet", "--ch", "8",
                                "--steps", "3", "--batch", "4", "--out", run, "--samples", "4"});
  ASSERT_EQ(train.status, 0) << train.err;
  EXPECT_EQ(apps::read_png(run + "/samples.png").channels, 1);
  for (const std::string sampler : {"ddim", "ddpm"}) {
    ASSERT_EQ(diffuse({"sample", "--ckpt", run, "--sampler", sampler, "--steps", "5", "--n", "6", "--out",
                       dir / "x.npy"}).status, 0);
    const tensor::Tensor x = apps::read_npy(dir / "x.npy");
    EXPECT_EQ(x.shape(), (tensor::Shape{6, 1, 8, 8}));
    EXPECT_TRUE(all_finite(x));
  }
  // Note [Sampling in chunks]: --n 5 --batch 2 is three runs seeded 7, 8, 9;
  // the first two are what --n 2 draws with those seeds, the last one --n 1.
  for (const std::string sampler : {"ddpm", "analytic-ddpm"}) {
    if (sampler == "analytic-ddpm") {
      ASSERT_EQ(diffuse({"estimate-gamma", "--ckpt", run, "--data", "png:" + (dir / "images"), "--n", "4"}).status,
                0);
    }
    const std::vector<std::string> common = {"sample", "--ckpt", run, "--sampler", sampler, "--steps", "4"};
    auto with = [&](std::vector<std::string> extra) {
      std::vector<std::string> args = common;
      args.insert(args.end(), extra.begin(), extra.end());
      return args;
    };
    const Result chunked = diffuse(with({"--n", "5", "--batch", "2", "--seed", "7", "--out", dir / "c.npy"}));
    ASSERT_EQ(chunked.status, 0) << chunked.err;
    EXPECT_NE(chunked.out.find("in 3 chunks of 2"), std::string::npos) << chunked.out;
    const tensor::Tensor all = apps::read_npy(dir / "c.npy");
    ASSERT_EQ(all.shape(), (tensor::Shape{5, 1, 8, 8}));
    for (const auto& [seed, rows] : std::vector<std::pair<int, int>>{{7, 2}, {8, 2}, {9, 1}}) {
      ASSERT_EQ(diffuse(with({"--n", std::to_string(rows), "--seed", std::to_string(seed), "--out", dir / "one.npy"}))
                    .status,
                0);
      const tensor::Tensor one = apps::read_npy(dir / "one.npy");
      EXPECT_EQ(one.to_vector<float>(), all.narrow(0, 2 * (seed - 7), rows).contiguous().to_vector<float>())
          << sampler << " seed " << seed;
    }
    // Different seeds per chunk: the chunks are not copies of each other.
    EXPECT_NE(all.narrow(0, 0, 1).contiguous().to_vector<float>(), all.narrow(0, 2, 1).contiguous().to_vector<float>());
  }
  ASSERT_EQ(diffuse({"sample", "--ckpt", run, "--steps", "5", "--n", "6", "--out", dir / "grid.png"}).status, 0);
  EXPECT_EQ(apps::read_png(dir / "grid.png").width, 3 * (16 + 2) + 2);  // 3 columns of 8 pixels at scale 2, gaps
  ASSERT_EQ(diffuse({"sample", "--ckpt", run, "--steps", "5", "--n", "6", "--scale", "3", "--out", dir / "grid.png"})
                .status,
            0);
  EXPECT_EQ(apps::read_png(dir / "grid.png").width, 3 * (24 + 2) + 2);
  expect_fails_with({"sample", "--ckpt", run, "--scale", "17", "--out", dir / "grid.png"}, "not a number in [0, 16]");
  const Result nll = diffuse({"nll", "--ckpt", run, "--data", "png:" + (dir / "images"), "--method", "elbo",
                              "--steps", "10", "--n", "4"});
  ASSERT_EQ(nll.status, 0) << nll.err;
  EXPECT_NE(nll.out.find("bits/dim over 4 images"), std::string::npos) << nll.out;
  expect_fails_with({"invert", "--ckpt", run, "--in", dir / "x.npy", "--steps", "5", "--out", dir / "xT.png"},
                    "writes x_T as .npy");
  apps::write_npy(dir / "points.npy", tensor::zeros({4, 2}));
  expect_fails_with({"invert", "--ckpt", run, "--in", dir / "points.npy", "--out", dir / "xT.npy"},
                    "shape (4, 2) does not fit the model, which takes (N, 1, 8, 8)");
}

// Trains 100 steps in one go and as 50 + resume to 100 (checkpoints every
// 50), and expects the two final checkpoints and loss logs to be identical.
void expect_resume_matches(const std::string& data, const TempDir& dir) {
  const std::vector<std::string> common = {"train", "--data", data, "--batch", "64", "--width", "64",
                                           "--ckpt-every", "50", "--seed", "5", "--samples", "10"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = common;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  ASSERT_EQ(diffuse(with({"--steps", "100", "--out", dir / "whole"})).status, 0);
  ASSERT_EQ(diffuse(with({"--steps", "50", "--out", dir / "split"})).status, 0);
  const auto at_50 = apps_test::read_bytes(dir / "split/model.safetensors");
  const Result resumed = diffuse(with({"--steps", "100", "--out", dir / "split", "--resume"}));
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  const auto whole = apps_test::read_bytes(dir / "whole/model.safetensors");
  const auto split = apps_test::read_bytes(dir / "split/model.safetensors");
  EXPECT_NE(at_50, split);  // the resumed run did train
  EXPECT_TRUE(whole == split) << "checkpoints differ after resume (" << data << ")";
  EXPECT_TRUE(apps_test::read_bytes(dir / "whole/loss.csv") == apps_test::read_bytes(dir / "split/loss.csv"));
  // Resuming a finished run keeps its checkpoint and writes its pictures
  // again: a run killed before samples.png was written gets one.
  fs::remove(dir / "split/samples.png");
  EXPECT_EQ(diffuse(with({"--steps", "100", "--out", dir / "split", "--resume"})).status, 0);
  EXPECT_TRUE(apps_test::read_bytes(dir / "split/model.safetensors") == split);
  EXPECT_TRUE(apps_test::read_bytes(dir / "whole/samples.png") == apps_test::read_bytes(dir / "split/samples.png"));
}

TEST(Cli, ResumeGivesTheSameCheckpointAsAnUninterruptedRun) {
  TempDir dir;
  expect_resume_matches("moons", dir);
}

TEST(Cli, ResumeMidEpochAcrossEpochBoundaries) {
  // 200 points, batch 64: 3 batches per epoch, so step 50 stops inside epoch
  // 16 and the resumed run crosses 17 more epoch boundaries.
  TempDir dir;
  tensor::Generator gen(9);
  apps::write_npy(dir / "small.npy", tensor::randn({200, 2}, gen));
  expect_resume_matches("npy:" + (dir / "small.npy"), dir);
}

TEST(Cli, OracleSamplesAndLikelihoodMatchTheMixture) {
  TempDir dir;
  write_gmm(dir / "g.json");
  const std::string oracle = "gmm:" + (dir / "g.json");
  const diffusion::GaussianMixture gmm = diffusion::load_gaussian_mixture_json(dir / "g.json");
  for (const std::string sampler : {"ddim", "ddpm", "ode-heun", "dpm-solver++3m", "edm-heun"}) {
    const Result r = diffuse({"sample", "--oracle", oracle, "--sampler", sampler, "--steps", "100", "--n", "2000",
                              "--out", dir / "s.npy"});
    ASSERT_EQ(r.status, 0) << r.err;
    if (sampler == "edm-heun") {  // --steps counts model evaluations: 2N - 1 <= 100 gives N = 50, 99 evaluations
      EXPECT_NE(r.out.find("(edm-heun, 99 model evaluations)"), std::string::npos) << r.out;
    }
    if (sampler == "dpm-solver++3m") {
      EXPECT_NE(r.out.find("(dpm-solver++3m, 100 model evaluations)"), std::string::npos) << r.out;
    }
    const diffusion::MixtureFit fit = diffusion::mixture_fit(gmm, apps::read_npy(dir / "s.npy"));
    EXPECT_LT(fit.max_weight_error, 0.05) << sampler;
    EXPECT_LT(fit.max_mean_error, 0.15) << sampler;
  }
  const Result nll = diffuse({"nll", "--oracle", oracle, "--data", oracle, "--n", "300"});
  ASSERT_EQ(nll.status, 0) << nll.err;
  // "nll A +- B nats/point ..." then "exact nll of the mixture C +- D": the ODE should agree closely.
  const double ode = std::stod(nll.out.substr(nll.out.find("nll ") + 4));
  const double exact = std::stod(nll.out.substr(nll.out.find("mixture ") + 8));
  EXPECT_NEAR(ode, exact, 0.05) << nll.out;

  // The ELBO bounds the NLL from above; with 1000 steps and beta it is within a few tenths.
  const Result elbo = diffuse({"nll", "--oracle", oracle, "--data", oracle, "--n", "300", "--method", "elbo"});
  ASSERT_EQ(elbo.status, 0) << elbo.err;
  const double bound = std::stod(elbo.out.substr(elbo.out.find("nll <= ") + 7));
  EXPECT_GT(bound, exact - 0.1) << elbo.out;
  EXPECT_LT(bound, exact + 0.5) << elbo.out;
}

TEST(Cli, InversionThenDdimReconstructs) {
  TempDir dir;
  write_gmm(dir / "g.json");
  const std::string oracle = "gmm:" + (dir / "g.json");
  const tensor::Tensor x0 = tensor::from_vector(std::vector<float>{-2.1f, 0.2f, 1.8f, 1.3f, 2.4f, 0.6f}, {3, 2});
  apps::write_npy(dir / "x0.npy", x0);
  ASSERT_EQ(diffuse({"invert", "--oracle", oracle, "--in", dir / "x0.npy", "--steps", "200", "--out",
                     dir / "xT.npy"}).status, 0);
  const tensor::Tensor x_T = apps::read_npy(dir / "xT.npy");
  EXPECT_GT(tensor::amax(tensor::abs(x_T - x0)).item(), 0.5);  // it moved to noise
  ASSERT_EQ(diffuse({"sample", "--oracle", oracle, "--sampler", "ddim", "--steps", "200", "--x-T", dir / "xT.npy",
                     "--out", dir / "back.npy"}).status, 0);
  EXPECT_LT(tensor::amax(tensor::abs(apps::read_npy(dir / "back.npy") - x0)).item(), 0.05);
}

TEST(Cli, NanLossStopsWithTheLastGoodCheckpoint) {
  TempDir dir;
  // 64 points, one of them NaN: the step whose batch draws it has a NaN loss.
  std::vector<float> xy(128, 0.5f);
  xy[77] = NAN;
  apps::write_npy(dir / "nan.npy", tensor::from_vector(xy, {64, 2}));
  const Result r = diffuse({"train", "--data", "npy:" + (dir / "nan.npy"), "--batch", "8", "--width", "16",
                            "--steps", "100", "--ckpt-every", "1", "--out", dir / "run"});
  EXPECT_EQ(r.status, 2);
  const size_t at = r.err.find("loss is NaN at step ");
  ASSERT_NE(at, std::string::npos) << r.err;
  const int step = std::stoi(r.err.substr(at + 20));
  EXPECT_GE(step, 1);
  EXPECT_LE(step, 8);  // 8 batches cover the epoch that holds the NaN row
  if (step == 1) {
    EXPECT_NE(r.err.find("last good checkpoint: none"), std::string::npos) << r.err;
  } else {
    EXPECT_NE(r.err.find("last good checkpoint: " + (dir / "run/model.safetensors") +
                         " (step " + std::to_string(step - 1) + ")"), std::string::npos) << r.err;
  }
}

TEST(Cli, ErrorsAreOneLineAndExitTwo) {
  TempDir dir;
  write_gmm(dir / "g.json");
  const std::string oracle = "gmm:" + (dir / "g.json");
  const std::string run = dir / "run";
  ASSERT_EQ(diffuse({"--threads", "2", "train", "--data", "moons", "--steps", "2", "--batch", "16", "--width", "16",
                     "--out", run, "--samples", "4"}).status, 0);
  std::ofstream(dir / "junk.safetensors") << "not a checkpoint";
  apps::write_npy(dir / "wrong.npy", tensor::zeros({5, 3}));
  std::ofstream(dir / "text.npy") << "hello";

  expect_fails_with({"frob"}, "unknown command 'frob'");
  expect_fails_with({"sample", "--ckpt", run, "--sampler", "euler", "--out", dir / "x.npy"},
                    "unknown sampler 'euler' (valid: ddpm, ddpm-tilde, ddim, sde-em, pc, ode-euler, ode-heun, ode-rk45, "
                    "dpm-solver++2m, dpm-solver++3m, edm-heun, analytic-ddpm, analytic-ddim, npr-ddpm, npr-ddim, sn-ddpm, sn-ddim)");
  expect_fails_with({"sample", "--ckpt", dir / "none", "--out", dir / "x.npy"}, "no such checkpoint");
  expect_fails_with({"sample", "--ckpt", dir / "junk.safetensors", "--out", dir / "x.npy"}, "junk.safetensors");
  expect_fails_with({"sample", "--ckpt", run, "--x-T", dir / "wrong.npy", "--out", dir / "x.npy"},
                    "shape (5, 3) does not fit the model, which takes (N, 2)");
  expect_fails_with({"sample", "--ckpt", run, "--x-T", dir / "text.npy", "--out", dir / "x.npy"}, "not a .npy file");
  expect_fails_with({"sample", "--ckpt", run, "--out", dir / "x.jpg"}, "write samples as .png or .npy");
  expect_fails_with({"sample", "--out", dir / "x.npy"}, "give --ckpt DIR or --oracle");
  expect_fails_with({"sample", "--oracle", "gmm:" + (dir / "none.json"), "--out", dir / "x.npy"}, "none.json");
  expect_fails_with({"sample", "--ckpt", run, "--steps", "abc", "--out", dir / "x.npy"},
                    "--steps: 'abc' is not a whole number in [1, 2147483647]");
  expect_fails_with({"sample", "--ckpt", run, "--eta", "2", "--out", dir / "x.npy"}, "--eta: '2' is not a number in [0, 1]");
  expect_fails_with({"train", "--data", "moons", "--lr", "0", "--out", dir / "r6"}, "--lr: '0' is not a number in (0, 1]");
  expect_fails_with({"--threads", "-1", "train", "--data", "moons", "--out", dir / "r7"}, "--threads");
  expect_fails_with({"sample", "--ckpt", run, "--steps", "2000", "--out", dir / "x.npy"}, "more than the schedule's T");
  expect_fails_with({"invert", "--ckpt", run, "--in", dir / "wrong.npy", "--out", dir / "xT.npy"}, "does not fit");
  expect_fails_with({"train", "--data", "moons", "--out", run}, "already holds a run; add --resume");
  expect_fails_with({"train", "--data", "moons", "--out", dir / "fresh", "--resume"}, "does not exist");
  expect_fails_with({"train", "--data", "spirals", "--out", dir / "r2"}, "unknown data 'spirals'");
  expect_fails_with({"train", "--data", "moons", "--model", "unet", "--out", dir / "r3"}, "--model unet is for images");
  expect_fails_with({"train", "--data", "moons", "--model", "gpt", "--out", dir / "r4"}, "--model");
  expect_fails_with({"train", "--data", "moons"}, "--out is required");
  expect_fails_with({"train", "--data", "moons", "--out", dir / "m.safetensors"}, "give a directory");
  expect_fails_with({"train", "--data", "idx:" + (dir / "none.gz"), "--out", dir / "r5"}, "none.gz: no such file");
  expect_fails_with({"nll", "--oracle", oracle, "--data", "moons", "--method", "ode", "--n", "10", "--no-ema",
                     "--steps", "0"}, "--steps");
  expect_fails_with({"nll", "--oracle", oracle, "--data", oracle, "--method", "elbo", "--steps", "1"},
                    "the ELBO needs 2 <= K");
  expect_fails_with({"nll", "--oracle", oracle, "--data", oracle, "--method", "bound"}, "--method");

  // A cosine-schedule model cannot be sampled as the VP SDE.
  ASSERT_EQ(diffuse({"train", "--data", "moons", "--steps", "2", "--batch", "16", "--width", "16", "--schedule",
                     "cosine", "--pred", "v", "--out", dir / "cos", "--samples", "4"}).status, 0);
  expect_fails_with({"sample", "--ckpt", dir / "cos", "--sampler", "ode-euler", "--out", dir / "x.npy"},
                    "matches the linear schedule only");
  EXPECT_EQ(diffuse({"sample", "--ckpt", dir / "cos", "--sampler", "ddim", "--steps", "5", "--n", "8", "--out",
                     dir / "x.npy"}).status, 0);
}

}  // namespace

TEST(Cli, DeviceFlagOnEveryCommandThatRunsAModel) {
  TempDir dir;
  const std::string run = dir / "run";
  // --device cpu is the default and runs as before.
  ASSERT_EQ(diffuse({"train", "--data", "moons", "--steps", "2", "--batch", "16", "--width", "16", "--out", run,
                     "--samples", "4", "--device", "cpu"})
                .status,
            0);
  ASSERT_EQ(
      diffuse({"sample", "--ckpt", run, "--steps", "3", "--n", "4", "--out", dir / "x.npy", "--device", "cpu"}).status,
      0);
  expect_fails_with({"sample", "--ckpt", run, "--out", dir / "x.npy", "--device", "tpu"}, "--device");
  if (tensor::cuda_available()) GTEST_SKIP() << "a CUDA device is present: --device cuda runs";
  const std::string why = tensor::cuda_built() ? "no CUDA device found" : "this build has no CUDA backend";
  const std::vector<std::vector<std::string>> commands = {
      {"train", "--data", "moons", "--steps", "2", "--out", dir / "r2"},
      {"sample", "--ckpt", run, "--out", dir / "x.npy"},
      {"invert", "--ckpt", run, "--in", dir / "x.npy", "--out", dir / "xT.npy"},
      {"nll", "--ckpt", run, "--data", "moons", "--n", "4"},
      {"estimate-gamma", "--ckpt", run, "--n", "4"},
      {"train-cov", "--ckpt", run, "--kind", "npr", "--steps", "1"},
      {"train-classifier", "--out", dir / "c.safetensors"},
      {"score", "--samples", dir / "x.npy", "--classifier", dir / "c.safetensors"},
  };
  for (std::vector<std::string> args : commands) {
    args.insert(args.end(), {"--device", "cuda"});
    expect_fails_with(args, "--device cuda: " + why);
  }
}
