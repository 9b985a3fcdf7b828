// CLI11 declarations of the Analytic-DPM flags (cli_analytic.h).
#include "apps/cli_analytic.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "apps/cli_validators.h"
#include "apps/data/dataset.h"

namespace apps {
namespace {

void add_file_flags(CLI::App* cmd, AnalyticFlags& flags) {
  cmd->add_option("--c-estimate", flags.c_estimate,
                  "analytic variance: C_t from the residual (docs/math.md 7.3r) or from Gamma_t (7.2)")
      ->check(CLI::IsMember({"residual", "gamma"}))
      ->capture_default_str();
  // Why non-negative is the default: Note [Clipping the residual estimate]
  // (diffusion/analytic/gamma_table.h). For the oracle the two agree; for a
  // trained model the bounds cut C_t where its x0_hat is worse than the
  // posterior, and the trajectory search then picks jumps whose bound explodes.
  cmd->add_option("--c-clip", flags.c_clip,
                  "non-negative: C_t as measured, only clipped at 0; bounds: into the bounds of docs/math.md 7.6 (the "
                  "paper's)")
      ->check(CLI::IsMember({"non-negative", "bounds"}))
      ->capture_default_str();
  cmd->add_option("--protocol", flags.protocol,
                  "npr/sn heads and the elbo: reference (clip x0_hat in every jump term for images, clamp a head's C "
                  "to [0, 1]) or legacy (clip in the decoder only, clamp C by docs/math.md 7.6)")
      ->check(CLI::IsMember({"reference", "legacy"}))
      ->capture_default_str();
  cmd->add_option("--gamma", flags.gamma, "the Gamma table (default: beside --ckpt; made by estimate-gamma)");
  cmd->add_option("--cov-head", flags.cov_head, "the covariance head (default: beside --ckpt; made by train-cov)");
}

}  // namespace

CLI::App* add_estimate_gamma(CLI::App& app, EstimateGammaOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "estimate-gamma",
      "Monte Carlo estimate of Gamma_t and the residual for every t (Analytic-DPM, docs/math.md 7.3); writes "
      "DIR/gamma_table.safetensors");
  cmd->add_option("--data", o.data, std::string("default: the run's training data; ") + kDataHelp);
  cmd->add_option("--n", o.n, "M, data points per t")->check(whole_number(2))->capture_default_str();
  cmd->add_option("--batch", o.batch, "rows per model call (0: 4000 points or 64 images)")
      ->check(whole_number(0))
      ->capture_default_str();
  cmd->add_option("--seed", o.seed, "seed of the subset of points and of the noise")->capture_default_str();
  cmd->add_option("--out", o.out, "FILE.safetensors (required with --oracle)");
  return cmd;
}

CLI::App* add_train_cov(CLI::App& app, TrainCovOptions& o) {
  CLI::App* cmd =
      app.add_subcommand("train-cov",
                         "train a covariance head with the eps network frozen (NPR 8.1 or SN 8.2; an MLP for points, "
                         "a head on the U-Net's last feature map for images); writes DIR/cov_<kind>.safetensors");
  cmd->add_option("--kind", o.kind, "npr: regress (eps - eps_theta)^2; sn: regress eps^2")
      ->required()
      ->check(CLI::IsMember({"npr", "sn"}));
  cmd->add_option("--data", o.data, std::string("default: the run's training data; ") + kDataHelp);
  cmd->add_option("--steps", o.steps, "Adam steps")->check(whole_number(1))->capture_default_str();
  cmd->add_option("--batch", o.batch, "batch size (0: 256 points or 64 images)")
      ->check(whole_number(0))
      ->capture_default_str();
  cmd->add_option("--lr", o.lr, "Adam learning rate")->check(CLI::Range(1e-8, 1.0))->capture_default_str();
  cmd->add_option("--ema", o.ema, "EMA decay of the head's weights, with warm-up (0: none; the reference: 0.9999)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_flag("--resume", o.resume,
                "continue from the resume file beside the head (X.resume.safetensors) up to --steps, and keep it "
                "up to date");
  cmd->add_option("--checkpoint-every", o.checkpoint_every,
                  "write the resume file every this many steps (0: only "
                  "with --resume, after the last)")
      ->check(whole_number(0))
      ->capture_default_str();
  cmd->add_option("--width", o.width, "points: hidden width of the head's MLP")
      ->check(whole_number(1))
      ->capture_default_str();
  cmd->add_option("--seed", o.seed, "seed of the head's weights, the batches and the noise")->capture_default_str();
  cmd->add_option("--out", o.out, "FILE.safetensors (required with --oracle)");
  return cmd;
}

void add_analytic_sample_flags(CLI::App* sample, AnalyticFlags& flags) {
  sample
      ->add_option("--trajectory", flags.trajectory,
                   "K-step samplers: even (docs/math.md 1.6), quadratic (1.8) or optimal (9.3, needs the Gamma table)")
      ->check(CLI::IsMember({"even", "quadratic", "optimal"}))
      ->capture_default_str();
  add_file_flags(sample, flags);
}

void add_analytic_nll_flags(CLI::App* nll, AnalyticFlags& flags) {
  nll->add_option("--trajectory", flags.trajectory,
                  "elbo: even (docs/math.md 1.6) or optimal (9.3, needs the Gamma table)")
      ->check(CLI::IsMember({"even", "optimal"}))
      ->capture_default_str();
  add_file_flags(nll, flags);
  nll->add_flag("--json", flags.json, "elbo: end with the bound as one JSON object");
}

}  // namespace apps
