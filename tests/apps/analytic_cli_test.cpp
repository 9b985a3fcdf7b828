// End-to-end tests of issue #6 on the command line (Analytic-DPM, docs/math.md
// sections 7-9): estimate-gamma, train-cov, the optimal-variance samplers,
// --trajectory, and `nll --json` for every variance, through run_cli.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "apps/cli.h"
#include "apps/io/npy.h"
#include "apps/io/png.h"
#include "diffusion/analytic/gamma_table.h"
#include "diffusion/metrics.h"
#include "diffusion/oracle.h"
#include "tensor/ops.h"
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

// The last line of `nll --json`, parsed.
nlohmann::json last_line_json(const std::string& out) {
  std::string text = out;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return nlohmann::json::parse(text.substr(text.rfind('\n') + 1));
}

TEST(AnalyticCli, HelpForTheNewCommands) {
  for (const char* cmd : {"estimate-gamma", "train-cov"}) {
    const Result r = diffuse({cmd, "--help"});
    EXPECT_EQ(r.status, 0) << cmd;
    EXPECT_NE(r.out.find("--ckpt"), std::string::npos) << cmd;
  }
  EXPECT_NE(diffuse({"sample", "--help"}).out.find("--trajectory"), std::string::npos);
  EXPECT_NE(diffuse({"nll", "--help"}).out.find("--json"), std::string::npos);
}

// The oracle's Gamma table, then the K = 10 bound for every variance and both
// trajectories: the JSON line, and the ordering Analytic-DPM promises.
TEST(AnalyticCli, OracleGammaTableThenNllJson) {
  TempDir dir;
  write_gmm(dir / "g.json");
  const std::string oracle = "gmm:" + (dir / "g.json");
  const std::string gamma = dir / "gamma.safetensors";

  // Without a table the analytic variance says which command makes one.
  expect_fails_with(
      {"nll", "--oracle", oracle, "--data", oracle, "--method", "elbo", "--steps", "10", "--variance", "analytic"},
      "estimate-gamma --oracle " + oracle + " --out FILE");
  expect_fails_with({"estimate-gamma", "--oracle", oracle}, "give --out FILE");

  const Result est = diffuse({"estimate-gamma", "--oracle", oracle, "--n", "500", "--out", gamma});
  ASSERT_EQ(est.status, 0) << est.err;
  EXPECT_NE(est.out.find("wrote " + gamma), std::string::npos) << est.out;
  const diffusion::analytic::GammaTable table = diffusion::analytic::load_gamma_table(gamma);
  EXPECT_EQ(table.T, 1000);
  EXPECT_EQ(table.samples, 500);
  EXPECT_EQ(table.timesteps.size(), 1000u);

  auto nll = [&](const std::string& variance, const std::string& trajectory) {
    const Result r = diffuse({"nll", "--oracle", oracle, "--data", oracle, "--method", "elbo", "--steps", "10", "--n",
                              "500", "--variance", variance, "--trajectory", trajectory, "--gamma", gamma, "--json"});
    EXPECT_EQ(r.status, 0) << r.err;
    const nlohmann::json j = last_line_json(r.out);
    EXPECT_EQ(j["unit"], "nats/point");
    EXPECT_EQ(j["steps"], 10);
    EXPECT_EQ(j["variance"], variance);
    EXPECT_EQ(j["trajectory"].size(), 10u);
    EXPECT_EQ(j["trajectory"].front(), 1);
    EXPECT_EQ(j["trajectory"].back(), 1000);
    EXPECT_GT(j["stderr"].get<double>(), 0.0);
    return j;
  };
  const double beta = nll("beta", "even")["nll"];
  const double beta_tilde = nll("beta-tilde", "even")["nll"];
  const nlohmann::json analytic_even = nll("analytic", "even");
  const nlohmann::json analytic_optimal = nll("analytic", "optimal");
  EXPECT_EQ(analytic_even["trajectory"], nlohmann::json(std::vector<int64_t>{1, 112, 223, 334, 445, 556, 667, 778, 889,
                                                                             1000}));  // docs/math.md (1.6)
  EXPECT_NE(analytic_optimal["trajectory"], analytic_even["trajectory"]);
  // The same points and seed for every run, so the differences are paired.
  // Measured: beta 2.13, beta-tilde 729 (its decoder variance is far too
  // small at K = 10), analytic 1.93 (even) and 1.70 (optimal); other seeds
  // move beta - analytic between 0.14 and 0.20.
  const double even = analytic_even["nll"], optimal = analytic_optimal["nll"];
  EXPECT_LT(even, beta - 0.05);
  EXPECT_LT(even, beta_tilde);
  EXPECT_LT(optimal, even);
  // A bound: not below the mixture's exact NLL of the same points (printed before the JSON).
  const Result r = diffuse({"nll", "--oracle", oracle, "--data", oracle, "--method", "elbo", "--steps", "10", "--n",
                            "500", "--variance", "analytic", "--trajectory", "optimal", "--gamma", gamma});
  const double exact = std::stod(r.out.substr(r.out.find("mixture ") + 8));
  EXPECT_GT(optimal, exact - 0.05) << r.out;
}

TEST(AnalyticCli, OracleAnalyticSamplerDrawsTheMixture) {
  TempDir dir;
  write_gmm(dir / "g.json");
  const std::string oracle = "gmm:" + (dir / "g.json");
  const std::string gamma = dir / "gamma.safetensors";
  ASSERT_EQ(diffuse({"estimate-gamma", "--oracle", oracle, "--n", "300", "--out", gamma}).status, 0);
  const diffusion::GaussianMixture gmm = diffusion::load_gaussian_mixture_json(dir / "g.json");
  for (const std::string trajectory : {"even", "optimal"}) {
    const Result r = diffuse({"sample", "--oracle", oracle, "--sampler", "analytic-ddpm", "--steps", "20", "--n",
                              "2000", "--gamma", gamma, "--trajectory", trajectory, "--out", dir / "s.npy"});
    ASSERT_EQ(r.status, 0) << r.err;
    const diffusion::MixtureFit fit = diffusion::mixture_fit(gmm, apps::read_npy(dir / "s.npy"));
    EXPECT_LT(fit.max_weight_error, 0.05) << trajectory;
    EXPECT_LT(fit.max_mean_error, 0.15) << trajectory;
  }
}

// A short MLP run, then everything beside its checkpoint: the missing-table
// error, estimate-gamma, the analytic samplers, train-cov and the NPR sampler.
TEST(AnalyticCli, TrainEstimateGammaTrainCovThenSample) {
  TempDir dir;
  const std::string run = dir / "run";
  // --no-ema-warmup: the young model of the bounds below is the EMA of 200
  // steps without warm-up, still 82% the initial weights. (With the warm-up
  // the averaged model is the trained one, and its K = 10 bounds were beta
  // 2.63, analytic 3.62 (even) and 4.10 (optimal).)
  const Result train = diffuse({"train", "--data", "moons", "--model", "mlp", "--width", "64", "--steps", "200", "--lr",
                                "1e-3", "--out", run, "--samples", "10", "--no-ema-warmup"});
  ASSERT_EQ(train.status, 0) << train.err;

  expect_fails_with({"sample", "--ckpt", run, "--sampler", "analytic-ddpm", "--out", dir / "x.npy"},
                    "needs the Gamma table; make it with `diffuse estimate-gamma --ckpt " + run + "`");
  expect_fails_with({"sample", "--ckpt", run, "--sampler", "ddim", "--trajectory", "optimal", "--out", dir / "x.npy"},
                    "--trajectory optimal needs the Gamma table");
  expect_fails_with({"sample", "--ckpt", run, "--sampler", "npr-ddpm", "--out", dir / "x.npy"},
                    "make it with `diffuse train-cov --ckpt " + run + " --kind npr`");
  expect_fails_with(
      {"sample", "--ckpt", run, "--sampler", "ode-heun", "--trajectory", "quadratic", "--out", dir / "x.npy"},
      "applies to the K-step samplers");
  expect_fails_with({"nll", "--ckpt", run, "--data", "moons", "--json"}, "use it with --method elbo");

  const Result est = diffuse({"estimate-gamma", "--ckpt", run, "--n", "200"});
  ASSERT_EQ(est.status, 0) << est.err;
  const std::string table_path = diffusion::analytic::gamma_table_path(run);
  EXPECT_TRUE(fs::exists(table_path)) << est.out;
  EXPECT_NE(est.out.find("wrote " + table_path), std::string::npos) << est.out;

  auto sample = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"sample", "--ckpt", run, "--steps", "20", "--n", "300", "--out", dir / "x.npy"};
    args.insert(args.end(), extra.begin(), extra.end());
    const Result r = diffuse(args);
    EXPECT_EQ(r.status, 0) << r.err;
    const tensor::Tensor x = apps::read_npy(dir / "x.npy");
    EXPECT_EQ(x.shape(), (tensor::Shape{300, 2}));
    EXPECT_TRUE(all_finite(x));
    return x;
  };
  for (const std::string sampler : {"analytic-ddpm", "analytic-ddim"}) {
    sample({"--sampler", sampler});
    sample({"--sampler", sampler, "--trajectory", "optimal", "--c-estimate", "gamma"});
  }
  sample({"--sampler", "ddpm", "--trajectory", "quadratic"});
  // The same seed and noise: only the trajectory differs, so the samples must too.
  const tensor::Tensor even = sample({"--sampler", "ddim"});
  const tensor::Tensor optimal = sample({"--sampler", "ddim", "--trajectory", "optimal"});
  EXPECT_GT(tensor::amax(tensor::abs(even - optimal)).item(), 1e-3);

  const Result cov = diffuse({"train-cov", "--ckpt", run, "--kind", "npr", "--steps", "30", "--width", "32"});
  ASSERT_EQ(cov.status, 0) << cov.err;
  EXPECT_TRUE(fs::exists(fs::path(run) / "cov_npr.safetensors")) << cov.out;
  sample({"--sampler", "npr-ddpm"});
  sample({"--sampler", "npr-ddim"});
  expect_fails_with({"sample", "--ckpt", run, "--sampler", "sn-ddpm", "--out", dir / "x.npy"},
                    "cov_sn.safetensors not found");
  expect_fails_with({"sample", "--ckpt", run, "--sampler", "sn-ddpm", "--cov-head",
                     fs::path(run) / "cov_npr.safetensors", "--out", dir / "x.npy"},
                    "holds an npr head");

  // The K = 10 bound of this young model. Measured: beta 26.0, analytic 12.4
  // (even) and 12.8 (optimal); with --c-clip bounds 25.2 and 10^4 (Note
  // [Clipping the residual estimate]). The npr head's C is always clipped to
  // the bounds (cov_head.h), and 30 steps teach it little: about 26.
  auto bound = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"nll",  "--ckpt",  run,  "--data", "moons", "--method",
                                     "elbo", "--steps", "10", "--n",    "200",   "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const Result r = diffuse(args);
    EXPECT_EQ(r.status, 0) << r.err;
    return r.status == 0 ? last_line_json(r.out) : nlohmann::json{{"nll", NAN}, {"variance", ""}};
  };
  const double beta = bound({"--variance", "beta"})["nll"];
  const double analytic = bound({"--variance", "analytic"})["nll"];
  const double analytic_optimal = bound({"--variance", "analytic", "--trajectory", "optimal"})["nll"];
  const nlohmann::json npr = bound({"--variance", "npr"});
  EXPECT_LT(analytic, beta - 1.0);
  EXPECT_LT(analytic_optimal, beta - 1.0);
  EXPECT_EQ(npr["variance"], "npr");
  EXPECT_TRUE(std::isfinite(npr["nll"].get<double>()));
}

// The image head (a second head on the U-Net's last feature map): train-cov
// writes it beside the run, and the npr/sn samplers and bounds read it back.
TEST(AnalyticCli, TrainCovOnImages) {
  TempDir dir;
  fs::create_directories(dir / "images");
  for (int i = 0; i < 4; ++i) {
    apps::Image img(8, 8, 1, 0);
    img.at(i, i)[0] = 255;
    apps::write_png(dir / ("images/" + std::to_string(i) + ".png"), img);
  }
  const std::string run = dir / "run";
  ASSERT_EQ(diffuse({"train", "--data", "png:" + (dir / "images"), "--model", "unet", "--ch", "8", "--steps", "1",
                     "--batch", "4", "--out", run, "--samples", "1"})
                .status,
            0);
  for (const std::string kind : {"npr", "sn"}) {
    const Result cov = diffuse({"train-cov", "--ckpt", run, "--kind", kind, "--steps", "3", "--batch", "4"});
    ASSERT_EQ(cov.status, 0) << cov.err;
    EXPECT_NE(cov.out.find("U-Net head"), std::string::npos) << cov.out;
    ASSERT_TRUE(fs::exists(run + "/cov_" + kind + ".safetensors"));
    ASSERT_EQ(diffuse({"sample", "--ckpt", run, "--sampler", kind + "-ddpm", "--steps", "4", "--n", "3", "--out",
                       dir / "x.npy"}).status,
              0);
    const tensor::Tensor x = apps::read_npy(dir / "x.npy");
    EXPECT_EQ(x.shape(), (tensor::Shape{3, 1, 8, 8}));
    EXPECT_TRUE(all_finite(x));
    const Result nll = diffuse({"nll", "--ckpt", run, "--data", "png:" + (dir / "images"), "--method", "elbo",
                                "--variance", kind, "--steps", "4", "--n", "4", "--json"});
    ASSERT_EQ(nll.status, 0) << nll.err;
    const nlohmann::json bound = last_line_json(nll.out);
    EXPECT_EQ(bound["unit"], "bits/dim");
    EXPECT_TRUE(std::isfinite(bound["nll"].get<double>()));
  }
  // A U-Net head put on a run that is not a U-Net says so.
  const std::string points = dir / "points";
  ASSERT_EQ(diffuse({"train", "--data", "moons", "--steps", "1", "--width", "8", "--out", points, "--samples", "1"})
                .status,
            0);
  expect_fails_with({"sample", "--ckpt", points, "--sampler", "npr-ddpm", "--steps", "4", "--n", "3", "--cov-head",
                     run + "/cov_npr.safetensors", "--out", dir / "y.npy"},
                    "is a U-Net head, but");
}

}  // namespace
