// The flags of every subcommand, declared once with CLI11 (which also writes
// each --help), and the one place errors become exit status 2. The work is
// in commands/: this file only fills an options struct and calls it.
#include "apps/cli.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>

#include "apps/cli_analytic.h"
#include "apps/cli_guidance.h"
#include "apps/cli_manners.h"
#include "apps/cli_sample_quality.h"
#include "apps/cli_sde.h"
#include "apps/cli_validators.h"
#include "apps/commands/commands.h"
#include "apps/commands/train_config.h"
#include "apps/data/dataset.h"
#include "apps/error.h"
#include "apps/parallel_job.h"
#include "nn/distributed.h"
#include "tensor/ops.h"

namespace apps {
namespace {

constexpr int kExitError = 2;

// More validators with short messages (whole_number is in cli_validators.h).
// A number in [lo, hi] (lo excluded when open_lo).
CLI::Validator number(double lo, double hi, bool open_lo = false) {
  const std::string range = fmt::format("{}{}, {}]", open_lo ? "(" : "[", lo, hi);
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        try {
          size_t used = 0;
          const double v = std::stod(text, &used);
          if (used == text.size() && (open_lo ? v > lo : v >= lo) && v <= hi) return "";
        } catch (const std::exception&) {
        }
        return fmt::format("'{}' is not a number in {}", text, range);
      },
      "in " + range);
}

CLI::App* add_train(CLI::App& app, TrainOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "train", "train a denoiser; writes DIR/model.safetensors, loss.csv, loss.svg and a picture of samples");
  // A flag given twice takes the last value: --config's settings come first, typed flags after them.
  cmd->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  cmd->add_option("--data", o.data, kDataHelp)->required();
  cmd->add_option("--model", o.model, "network")->check(CLI::IsMember({"mlp", "unet"}))->capture_default_str();
  cmd->add_option("--steps", o.steps, "total optimizer steps")->check(whole_number(1))->capture_default_str();
  cmd->add_option("--batch", o.batch, "batch size")->check(whole_number(1))->capture_default_str();
  cmd->add_option("--lr", o.lr, "AdamW learning rate")->check(number(0, 1, true))->capture_default_str();
  cmd->add_option("--lr-schedule", o.lr_schedule, "lr after the warm-up: constant | cosine (to 0 at --lr-decay-steps)")
      ->check(CLI::IsMember({"constant", "cosine"}))
      ->capture_default_str();
  cmd->add_option("--warmup", o.warmup, "lr rises linearly to --lr over the first N steps (0: none)")
      ->check(whole_number(0))
      ->capture_default_str();
  cmd->add_option("--lr-decay-steps", o.lr_decay_steps, "cosine: the step where the lr reaches 0 (0: --steps)")
      ->check(whole_number(0))
      ->capture_default_str();
  cmd->add_option("--clip-grad", o.clip_grad, "rescale gradients to global L2 norm <= NORM before each step (0: off)")
      ->check(number(0, 1e30))
      ->capture_default_str();
  cmd->add_option("--out", o.out, "run directory")->required();
  cmd->add_flag("--resume", o.resume, "continue the run in --out up to --steps");
  cmd->add_option("--seed", o.seed, "seed of the weights, data order and noise")->capture_default_str();
  cmd->add_option("--ckpt-every", o.ckpt_every, "save a checkpoint every N steps (0: at the end only)")
      ->check(whole_number(0))
      ->capture_default_str();
  cmd->add_option("--ema", o.ema, "EMA decay of the saved weights")->check(number(0, 0.999999))->capture_default_str();
  cmd->add_flag("--ema-warmup,!--no-ema-warmup", o.ema_warmup,
                "EMA decay min(--ema, (1+n)/(10+n)) at update n (default on; --no-ema-warmup: --ema from the start)");
  cmd->add_option("--schedule", o.schedule, "noise schedule (docs/math.md 1.3-1.5)")
      ->check(CLI::IsMember({"linear", "cosine", "blog"}))
      ->capture_default_str();
  cmd->add_option("--pred", o.pred, "what the network predicts (docs/math.md 2.2-2.4)")
      ->check(CLI::IsMember({"eps", "x0", "v"}))
      ->capture_default_str();
  cmd->add_option("--loss-weight", o.loss_weight,
                  "pred: the MSE of what the network predicts (docs/math.md 2.2-2.4); min-snr: min(SNR, gamma)/SNR in "
                  "eps units (12.9)")
      ->check(CLI::IsMember({"pred", "min-snr"}))
      ->capture_default_str();
  cmd->add_option("--min-snr-gamma", o.min_snr_gamma, "--loss-weight min-snr: the SNR where the weight starts to fall")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  add_sde_train_flags(cmd, o);  // --sde, --sigma-min, --sigma-max
  cmd->add_option("--width", o.width, "mlp: hidden width")->check(whole_number(1))->capture_default_str();
  cmd->add_option("--ch", o.ch, "unet: base channels (a multiple of 8)")->check(whole_number(1))->capture_default_str();
  cmd->add_option("--ch-mult", o.ch_mult, "unet: channel multiplier per level, the last the middle's")
      ->capture_default_str();
  cmd->add_option("--attn-res", o.attn_res,
                  "unet: image sides whose levels get attention too, e.g. 14 (the middle always has it)");
  cmd->add_option("--samples", o.samples, "samples drawn at the end (0: 2000 points or 64 images)")
      ->check(whole_number(0));
  cmd->add_option("--sample-every", o.sample_every, "also write DIR/samples-STEP.png every N steps (0: never)")
      ->check(whole_number(0))
      ->capture_default_str();
  cmd->add_option("--keep", o.keep, "keep N numbered checkpoints DIR/model-STEP.safetensors besides the latest")
      ->check(whole_number(0))
      ->capture_default_str();
  cmd->add_flag("--conditional,!--no-conditional", o.conditional,
                "class-conditional on the data's labels, one network for every class and none (docs/math.md 12)");
  cmd->add_option("--cond-drop", o.cond_drop, "--conditional: probability of training a label as the null class")
      ->check(number(0, 1))
      ->capture_default_str();
  cmd->add_option("--config", o.config, "start from the settings of a run's config.json (flags given here win)");
  cmd->add_option("--recipe", o.recipe,
                  "start from a named recipe's settings (--config's and flags given here win): fast, the best "
                  "Fashion-MNIST U-Net found for one hour of two CPU cores (docs/recipe.md)");
  o.log_every = -1;  // unless given: decided by isatty(stdout) after parsing
  cmd->add_option("--log-every", o.log_every,
                  "print a progress line every N steps (0: never; default: 100 when stdout is not a terminal, "
                  "e.g. under nohup or > log, else 0)")
      ->check(whole_number(0));
  add_device_flag(cmd, o.device);
  add_parallel_flags(cmd, o);
  return cmd;
}

void add_model_source(CLI::App* cmd, ModelSourceOptions& source) {
  auto* ckpt = cmd->add_option("--ckpt", source.ckpt, "run directory written by `diffuse train` (or its .safetensors)");
  auto* oracle = cmd->add_option("--oracle", source.oracle,
                                 "gmm:FILE.json: the exact Gaussian-mixture model instead of a checkpoint");
  ckpt->excludes(oracle);
  cmd->add_flag("--no-ema", source.no_ema, "use the live weights instead of the EMA weights");
  add_device_flag(cmd, source.device);
}

CLI::App* add_sample(CLI::App& app, SampleOptions& o) {
  CLI::App* cmd = app.add_subcommand("sample", "draw samples: .png (grid or scatter) or .npy (raw float32)");
  add_model_source(cmd, o.source);
  cmd->add_option("--sampler", o.sampler,
                  "ddpm | ddpm-tilde | ddim | sde-em | pc | ode-euler | ode-heun | ode-rk45 | "
                  "dpm-solver++2m | dpm-solver++3m | edm-heun | analytic-ddpm | analytic-ddim | npr-ddpm | npr-ddim | "
                  "sn-ddpm | sn-ddim")
      ->capture_default_str();
  cmd->add_option("--steps", o.steps,
                  "sampling steps (ode-rk45: adaptive, ignored; dpm-solver++*, edm-heun: model evaluations)")
      ->check(whole_number(1))
      ->capture_default_str();
  cmd->add_option("--eta", o.eta, "ddim: noise scale, 0 deterministic .. 1 DDPM-like (docs/math.md 3.1)")
      ->check(number(0, 1))
      ->capture_default_str();
  cmd->add_option("--snr", o.snr, "pc: the corrector's signal-to-noise ratio (docs/math.md 4.8)")
      ->check(number(0, 100, true))
      ->capture_default_str();
  cmd->add_option("--corrector-steps", o.corrector_steps, "pc: Langevin corrector steps after each predictor step")
      ->check(whole_number(1))
      ->capture_default_str();
  cmd->add_option("--n", o.n, "number of samples")->check(whole_number(1))->capture_default_str();
  cmd->add_option("--batch", o.batch, "rows per sampler run, chunk i seeded by seed + i (0: 128 images, all points)")
      ->check(whole_number(0))
      ->capture_default_str();
  cmd->add_option("--seed", o.seed, "seed of the noise")->capture_default_str();
  cmd->add_option("--out", o.out, "FILE.png or FILE.npy")->required();
  cmd->add_option("--x-T", o.x_T, "FILE.npy: start from this noise instead of drawing it");
  cmd->add_option("--scale", o.scale, "image grids: each pixel drawn N x N (0: 2 up to 32-pixel images, else 1)")
      ->check(whole_number(0))
      ->check(number(0, 16))
      ->capture_default_str();
  add_analytic_sample_flags(cmd, o.analytic);
  add_guidance_flags(cmd, o.guidance);
  return cmd;
}

CLI::App* add_invert(CLI::App& app, InvertOptions& o) {
  CLI::App* cmd = app.add_subcommand("invert", "DDIM inversion: encode data x_0 (.npy) as noise x_T (.npy)");
  add_model_source(cmd, o.source);
  cmd->add_option("--in", o.in, "X0.npy: the data to encode")->required();
  cmd->add_option("--steps", o.steps, "DDIM steps")->check(whole_number(1))->capture_default_str();
  cmd->add_option("--out", o.out, "XT.npy")->required();
  return cmd;
}

CLI::App* add_nll(CLI::App& app, NllOptions& o) {
  CLI::App* cmd = app.add_subcommand("nll", "negative log-likelihood of data: nats/point (2-D) or bits/dim (images)");
  add_model_source(cmd, o.source);
  cmd->add_option("--data", o.data, kDataHelp)->required();
  cmd->add_option("--method", o.method, "elbo: the DDPM bound (2.7); ode: exact, by the PF-ODE (5.5)")
      ->check(CLI::IsMember({"elbo", "ode"}))
      ->capture_default_str();
  cmd->add_option("--variance", o.variance, "elbo: reverse variance (docs/math.md 2.6; analytic 7.4; npr, sn 8.3-8.4)")
      ->check(CLI::IsMember({"beta", "beta-tilde", "analytic", "npr", "sn"}))
      ->capture_default_str();
  cmd->add_option("--steps", o.steps, "elbo: timesteps in the bound (an even sub-sequence, docs/math.md 1.6)")
      ->check(whole_number(1))
      ->capture_default_str();
  cmd->add_option("--n", o.n, "examples evaluated")->check(whole_number(1))->capture_default_str();
  cmd->add_option("--seed", o.seed, "seed of the noise and of generated 2-D data")->capture_default_str();
  add_analytic_nll_flags(cmd, o.analytic);
  return cmd;
}

// The value of `--NAME VALUE` or `--NAME=VALUE` after `train`, or "" if absent.
std::string train_flag_value(const std::vector<std::string>& args, std::vector<std::string>::const_iterator train,
                             const std::string& name) {
  for (auto it = train + 1; it != args.end(); ++it) {
    if (*it == name && it + 1 != args.end()) return *(it + 1);
    if (it->rfind(name + "=", 0) == 0) return it->substr(name.size() + 1);
  }
  return "";
}

// `diffuse train ... --recipe NAME --config FILE ...`: the recipe's settings,
// then FILE's, go in as flags right after `train`, so CLI11 checks them like
// typed ones and the typed flags, coming later, win (train_config.h).
void with_train_config(std::vector<std::string>& args) {
  const auto train = std::find(args.begin(), args.end(), "train");
  if (train == args.end()) return;
  const std::string recipe = train_flag_value(args, train, "--recipe");
  const std::string config = train_flag_value(args, train, "--config");
  std::vector<std::string> settings = recipe.empty() ? std::vector<std::string>{} : train_recipe_flags(recipe);
  if (!config.empty()) {
    const std::vector<std::string> from_file = train_config_flags(config);
    settings.insert(settings.end(), from_file.begin(), from_file.end());
  }
  args.insert(train + 1, settings.begin(), settings.end());
}

void check_model_source(const ModelSourceOptions& source, const std::string& command) {
  APPS_CHECK(!source.ckpt.empty() || !source.oracle.empty(), "{}: give --ckpt DIR or --oracle gmm:FILE.json", command);
}

}  // namespace

int run_cli(int argc, char** argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"Train diffusion models and sample from them (DDPM, DDIM, SDE and ODE samplers).", "diffuse"};
  app.require_subcommand(1);
  int threads = 0;
  app.add_option("--threads", threads, "CPU threads for our loops and OpenBLAS (0: OMP_NUM_THREADS or all cores)")
      ->check(whole_number(0));
  TrainOptions train;
  SampleOptions sample;
  InvertOptions invert;
  NllOptions nll;
  const CLI::App* train_cmd = add_train(app, train);
  const CLI::App* sample_cmd = add_sample(app, sample);
  const CLI::App* invert_cmd = add_invert(app, invert);
  const CLI::App* nll_cmd = add_nll(app, nll);
  EstimateGammaOptions estimate_gamma;
  TrainCovOptions train_cov;
  CLI::App* estimate_gamma_cmd = add_estimate_gamma(app, estimate_gamma);
  add_model_source(estimate_gamma_cmd, estimate_gamma.source);
  CLI::App* train_cov_cmd = add_train_cov(app, train_cov);
  add_model_source(train_cov_cmd, train_cov.source);
  TrainClassifierOptions train_classifier;
  ScoreOptions score;
  const CLI::App* train_classifier_cmd = add_train_classifier(app, train_classifier);
  const CLI::App* score_cmd = add_score(app, score);
  add_manners(app);  // --threads anywhere, --seed's check
  // `--threads N --version` reports N: the count is applied before the text is made.
  app.set_version_flag(
      "--version",
      [&threads] {
        if (threads > 0) tensor::set_num_threads(threads);
        return version_text();
      },
      "print the version and what this build runs on (BLAS, vector width, threads, CUDA), then exit");

  // CLI11 would report a mistyped command as a missing one; name it instead.
  const std::vector<std::string> commands = {"train",          "sample",    "invert",           "nll",
                                             "estimate-gamma", "train-cov", "train-classifier", "score"};
  const std::string first = argc > 1 ? argv[1] : "";
  if (!first.empty() && first[0] != '-' && std::find(commands.begin(), commands.end(), first) == commands.end()) {
    const std::string close = closest_name(first, commands);
    err << "error: unknown command '" << first << "' (" << (close.empty() ? "" : "did you mean " + close + "? ")
        << "valid: " << fmt::format("{}", fmt::join(commands, ", ")) << "; see diffuse --help)\n";
    return kExitError;
  }
  std::vector<std::string> args(argv, argv + argc);
  try {
    with_train_config(args);
  } catch (const Error& e) {  // an unreadable --config file
    err << "error: " << e.what() << "\n";
    return kExitError;
  }
  std::vector<char*> arg_pointers;
  for (std::string& a : args) arg_pointers.push_back(a.data());
  try {
    app.parse(static_cast<int>(arg_pointers.size()), arg_pointers.data());
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e, out, err);  // --help
    // The subcommand's name, if one was recognised, points to its --help.
    std::string where = "diffuse";
    for (const CLI::App* cmd : app.get_subcommands()) where += " " + cmd->get_name();
    const std::string hint = dynamic_cast<const CLI::ExtrasError*>(&e) ? suggest_flag(app, argc, argv) : "";
    err << "error: " << e.what() << hint << " (see " << where << " --help)\n";
    return kExitError;
  } catch (const std::exception& e) {  // from a flag's callback, e.g. --version with a bad DIFFUSE_CPU_ISA
    err << "error: " << e.what() << "\n";
    return kExitError;
  }

  WarningsTo warnings(err);
  try {
    check_flags(app, threads);
    nn::check_launch();
    if (threads > 0) tensor::set_num_threads(threads);
    if (*train_cmd) {
      train.lr_given = train_cmd->count("--lr") > 0;
      train.batch_given = train_cmd->count("--batch") > 0;
      if (train.log_every < 0) train.log_every = isatty(STDOUT_FILENO) ? 0 : 100;
      run_train(train, out);
    } else if (*sample_cmd) {
      check_model_source(sample.source, "sample");
      note_guidance_flags(sample_cmd, sample.guidance);
      run_sample(sample, out);
    } else if (*invert_cmd) {
      check_model_source(invert.source, "invert");
      run_invert(invert, out);
    } else if (*nll_cmd) {
      check_model_source(nll.source, "nll");
      run_nll(nll, out);
    } else if (*estimate_gamma_cmd) {
      check_model_source(estimate_gamma.source, "estimate-gamma");
      run_estimate_gamma(estimate_gamma, out);
    } else if (*train_cov_cmd) {
      check_model_source(train_cov.source, "train-cov");
      run_train_cov(train_cov, out);
    } else if (*train_classifier_cmd) {
      run_train_classifier(train_classifier, out);
    } else if (*score_cmd) {
      run_score(score, out);
    }
  } catch (const std::exception& e) {
    // apps::Error, tensor::Error and anything else: one line, never a trace.
    // In an MPI job, the line names the rank and the whole job stops.
    std::string message = e.what();
    std::replace(message.begin(), message.end(), '\n', ' ');
    err << "error: " << rank_prefix() << message << "\n";
    stop_job_after_error(kExitError);
    return kExitError;
  } catch (...) {
    err << "error: " << rank_prefix() << "unknown failure\n";
    stop_job_after_error(kExitError);
    return kExitError;
  }
  return 0;
}

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::vector<std::string> storage = {"diffuse"};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  return run_cli(static_cast<int>(storage.size()), argv.data(), out, err);
}

}  // namespace apps
