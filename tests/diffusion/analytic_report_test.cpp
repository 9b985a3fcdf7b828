// The NLL table of docs/analytic-dpm.md: the K-step ELBO (docs/math.md (9.1)) of
// DDPM(beta), DDPM(beta_tilde), Analytic-DPM (even and optimal trajectory),
// NPR-DPM and SN-DPM against K, on (a) the exact oracle of a 2-D mixture and
// (b) an MLP2D trained with diffusion/training.h. Disabled: it is a report,
// minutes long, not a check. Run it with
//   bin/diffusion_tests --gtest_also_run_disabled_tests --gtest_filter='AnalyticReport.*'
// Sizes from the environment: REPORT_N (test points, 2000), REPORT_M (Gamma
// samples per t, 2000), REPORT_HEAD_STEPS (2000), REPORT_MLP_STEPS (3000; 0 skips (b)).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "autograd/variable.h"
#include "diffusion/analytic/analytic.h"
#include "diffusion/oracle.h"
#include "diffusion/sde_mixture.h"
#include "diffusion/timesteps.h"
#include "diffusion/training.h"
#include "nn/models/mlp2d.h"
#include "nn/optim/adam.h"
#include "nn/optim/ema.h"
#include "tensor/ops.h"
#include "tensor/random.h"

using namespace diffusion;
using namespace diffusion::analytic;
namespace t = tensor;

namespace {

int64_t env_int(const char* name, int64_t fallback) {
  const char* v = std::getenv(name);
  return v ? std::atoll(v) : fallback;
}

// Two tables, rows methods, columns K: the negative ELBO "nll ± stderr" in
// nats/point, and its gap to the true -log p (10.7) of the same points with
// the gap's standard error (much smaller: the points' own spread cancels).
void report(const std::string& title, const EpsModel& model, const t::Tensor& train, const t::Tensor& test,
            const Schedule& sch, const t::Tensor& true_nll_per_point) {
  const double true_nll = t::mean(true_nll_per_point).item();
  std::printf("\n### %s\n\n", title.c_str());
  GammaEstimateOptions gamma_options;
  gamma_options.samples = env_int("REPORT_M", 2000);
  gamma_options.batch_size = 20000;
  gamma_options.seed = 1;
  const GammaTable table = estimate_gamma(model, train, sch, {}, gamma_options);
  const std::vector<double> C = table.c_all(sch, CEstimate::Residual);
  const std::vector<double> C_unclipped = table.c_all(sch, CEstimate::Residual, CClip::NonNegative);

  t::Generator gen(2);
  CovHeadTrainOptions head_options;
  head_options.steps = env_int("REPORT_HEAD_STEPS", 2000);
  head_options.batch_size = 256;
  head_options.lr = 2e-3;
  std::shared_ptr<nn::MLP2D> npr = make_cov_head_mlp(2, gen, 64, 2);
  head_options.seed = 3;
  const double npr_loss = train_cov_head(*npr, CovKind::NPR, model, train, sch, head_options);
  std::shared_ptr<nn::MLP2D> sn = make_cov_head_mlp(2, gen, 64, 2);
  head_options.seed = 4;
  const double sn_loss = train_cov_head(*sn, CovKind::SN, model, train, sch, head_options);

  const std::vector<int64_t> Ks = {10, 25, 50, 100, 200, 1000};
  struct Row {
    std::string name;
    VarianceChoice variance;
    bool optimal;
    CClip clip;
  };
  std::fprintf(stderr, "gamma table and heads done\n");
  const std::vector<Row> rows = {{"DDPM, beta (ET)", VarianceChoice::Beta, false, CClip::Bounds},
                                 {"DDPM, beta_tilde (ET)", VarianceChoice::BetaTilde, false, CClip::Bounds},
                                 {"Analytic-DPM (ET)", VarianceChoice::Analytic, false, CClip::Bounds},
                                 {"Analytic-DPM (OT)", VarianceChoice::Analytic, true, CClip::Bounds},
                                 {"Analytic-DPM, unclipped (ET)", VarianceChoice::Analytic, false, CClip::NonNegative},
                                 {"Analytic-DPM, unclipped (OT)", VarianceChoice::Analytic, true, CClip::NonNegative},
                                 {"NPR-DPM (ET)", VarianceChoice::NPR, false, CClip::Bounds},
                                 {"SN-DPM (ET)", VarianceChoice::SN, false, CClip::Bounds}};
  std::vector<std::string> nll_lines, gap_lines;
  for (const Row& row : rows) {
    std::string nll_line = "| " + row.name + " | ", gap_line = nll_line;
    for (int64_t K : Ks) {
      KStepElboOptions options;
      options.variance = row.variance;
      options.table = &table;
      options.c_clip = row.clip;
      options.head = row.variance == VarianceChoice::SN ? sn : npr;
      options.seed = 7;  // the same eps for every method: paired comparisons
      options.batch_size = 4000;
      const std::vector<double>& c_dp = row.clip == CClip::Bounds ? C : C_unclipped;
      const std::vector<int64_t> traj =
          row.optimal ? optimal_trajectory(sch, c_dp, K, c_dp[1]) : even_timesteps(sch.T, K);
      const KStepElbo e = kstep_elbo(model, test, sch, traj, options);
      const t::Tensor gap = e.per_point - true_nll_per_point;
      const double gap_se = std::sqrt(t::var(gap).item() / static_cast<double>(gap.numel()));
      nll_line += fmt::format("{:.3f} ± {:.3f} | ", e.nll, e.std_error);
      gap_line += fmt::format("{:.3f} ± {:.3f} | ", t::mean(gap).item(), gap_se);
      std::fprintf(stderr, "%s K=%ld: %.4f\n", row.name.c_str(), K, e.nll);
    }
    nll_lines.push_back(nll_line);
    gap_lines.push_back(gap_line);
  }
  std::string header = "| method | ";
  for (int64_t K : Ks) header += fmt::format("K = {} | ", K);
  header += "\n|---|";
  for (size_t i = 0; i < Ks.size(); ++i) header += "---|";
  std::printf("Negative K-step ELBO, nats/point (± standard error over points):\n\n%s\n", header.c_str());
  for (const std::string& line : nll_lines) std::printf("%s\n", line.c_str());
  std::printf("\nGap to the true NLL of the same points (± paired standard error):\n\n%s\n", header.c_str());
  for (const std::string& line : gap_lines) std::printf("%s\n", line.c_str());
  std::printf(
      "\nTrue NLL of the test points (10.7): %.3f nats/point. Gamma table: M = %ld per t, residual "
      "estimate (7.3r), common noise. Heads: MLP2D 64x2, %ld steps of 256, final losses NPR %.4f, SN %.4f.\n",
      true_nll, table.samples, head_options.steps, npr_loss, sn_loss);
}

}  // namespace

TEST(AnalyticReport, DISABLED_NllTable) {
  const Schedule sch = linear_schedule(1000);
  const GaussianMixture gmm = sde_test::mixture();
  t::Generator gen(100);
  const t::Tensor train = sample_mixture(gmm, 20000, gen);
  const t::Tensor test = sample_mixture(gmm, env_int("REPORT_N", 2000), gen);
  const t::Tensor true_nll = -log_prob(gmm, autograd::Variable(test.to(t::DType::Float64))).data();

  report("(a) exact oracle eps* of the 2-D mixture (tests/diffusion/sde_mixture.h), linear schedule, T = 1000",
         gmm_eps_model(gmm, ddpm_kernel(sch)), train, test, sch, true_nll);

  const int64_t mlp_steps = env_int("REPORT_MLP_STEPS", 3000);
  if (mlp_steps <= 0) return;
  nn::MLP2DConfig config;
  config.width = 128;
  t::Generator init(5);
  nn::MLP2D mlp(config, init);
  nn::AdamOptions adam;
  adam.lr = 1e-3;
  nn::Adam optimizer(mlp.named_parameters(), adam);
  nn::EMA ema(mlp, 0.995);
  const DataSource data = [&train](t::Generator& g) {
    return t::index_select(train, 0, t::randint(0, train.size(0), {256}, g));
  };
  TrainerOptions trainer_options;
  trainer_options.seed = 6;
  Trainer trainer(mlp, sch, optimizer, data, trainer_options, &ema);
  const std::vector<double> losses = trainer.train(mlp_steps);
  double tail = 0;
  for (size_t i = losses.size() - 500; i < losses.size(); ++i) tail += losses[i] / 500;
  ema.copy_to(mlp);
  mlp.eval();
  report("(b) MLP2D (width 128, 3 hidden, " + std::to_string(mlp_steps) +
             " Adam steps, batch 256, EMA 0.995; final loss " + std::to_string(tail) + ")",
         as_eps_model(mlp), train, test, sch, true_nll);
}
