// `diffuse estimate-gamma` (docs/math.md (7.3), (7.3r)) and `diffuse train-cov`
// ((8.1), (8.2)): one Monte Carlo pass, or one small training loop, with the
// eps network frozen, written beside the run (analytic_files.h).
#include "apps/commands/analytic.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "apps/commands/analytic_files.h"
#include "apps/data/dataset.h"
#include "apps/error.h"
#include "apps/progress.h"
#include "nn/checkpoint.h"
#include "nn/models/unet.h"
#include "nn/strict_number.h"

namespace apps {

namespace analytic = diffusion::analytic;

namespace {

// The data the estimate runs on: --data, else what the run was trained on.
// A run's generated 2-D points come from its own seed (they are its training
// set); the oracle's are n fresh draws from its mixture.
tensor::Tensor reference_data(const LoadedModel& model, const ModelSourceOptions& source, const std::string& data,
                              uint64_t seed, int64_t n) {
  const std::string spec = data.empty() ? model.config.data : data;
  const tensor::Tensor x = model.gmm ? load_data(spec, seed, n) : load_data(spec, model.config.seed);
  const tensor::Shape example(x.shape().begin() + 1, x.shape().end());
  APPS_CHECK(example == model.config.data_shape, "--data {} has examples {}, the model {} takes {}", spec,
             tensor::shape_str(example), source.oracle.empty() ? source.ckpt : source.oracle,
             tensor::shape_str(model.config.data_shape));
  return x.to(model.device);
}

std::string output_path(const ModelSourceOptions& source, const std::string& out, const std::string& default_path,
                        const std::string& command) {
  if (!out.empty()) return out;
  APPS_CHECK(source.oracle.empty(), "{} --oracle: give --out FILE (there is no run directory to write into)", command);
  return default_path;
}

}  // namespace

void run_estimate_gamma(const EstimateGammaOptions& o, std::ostream& out) {
  const LoadedModel model = load_model(o.source);
  const std::string path =
      output_path(o.source, o.out, o.source.oracle.empty() ? analytic::gamma_table_path(run_dir_of(o.source.ckpt)) : "",
                  "estimate-gamma");
  const bool images = model.config.data_shape.size() == 3;
  const tensor::Tensor data = reference_data(model, o.source, o.data, o.seed, o.n);

  analytic::GammaEstimateOptions options;
  options.samples = std::min(o.n, data.size(0));
  options.batch_size = o.batch > 0 ? o.batch : (images ? 64 : 4000);
  options.seed = o.seed;
  if (images) options.range = std::make_pair(-1.0, 1.0);  // pixels in [-1, 1]: the third bound of (7.6)
  Progress progress(options.samples * model.schedule.T, 0, "gamma (t, point) pair");
  progress.print_tenths_unless_drawn();
  options.progress = [&](int64_t done, int64_t) { progress.update(done); };
  const analytic::GammaTable table = analytic::estimate_gamma(model.discrete_eps(), data, model.schedule, {}, options);
  progress.finish();
  analytic::save_gamma_table(table, path);

  const int64_t T = model.schedule.T;
  out << fmt::format("wrote {}: Gamma_t and the residual for t = 1..{}, {} points each\n", path, T, table.samples);
  // A few C_t = E||x_0 - x0_hat||^2/d as measured (7.3r) as a sanity check: it
  // grows with t towards the data variance (an imperfect model's may pass it).
  std::string sample_c;
  for (int64_t t : {int64_t{1}, T / 10, T / 2, T}) {
    if (t < 1) continue;
    sample_c += fmt::format("{}C_{} = {:.4g}", sample_c.empty() ? "" : ", ", t,
                            table.c_raw(model.schedule, t, analytic::CEstimate::Residual));
  }
  out << fmt::format("{} (data variance {:.4g})\n", sample_c, table.bounds.data_var);
}

void run_train_cov(const TrainCovOptions& o, std::ostream& out) {
  const LoadedModel model = load_model(o.source);
  const bool images = model.config.data_shape.size() == 3;
  const auto trunk = std::dynamic_pointer_cast<nn::UNet>(model.network);
  APPS_CHECK(!images || trunk != nullptr,
             "train-cov: {} takes images {} but is not a U-Net (the image head reads "
             "the U-Net's last feature map)",
             o.source.ckpt, tensor::shape_str(model.config.data_shape));
  const analytic::CovKind kind = analytic::parse_cov_kind(o.kind);
  const std::string path = output_path(
      o.source, o.out, o.source.oracle.empty() ? cov_head_path(run_dir_of(o.source.ckpt), kind) : "", "train-cov");
  // The oracle has no training set: 50,000 draws from its mixture stand in.
  const tensor::Tensor data = reference_data(model, o.source, o.data, o.seed, 50000);

  tensor::Generator gen(o.seed);
  CovHead head;
  head.kind = kind;
  std::string description;
  if (images) {
    const auto network = analytic::make_cov_head_unet(trunk, gen);
    head.config_json = network->config().to_json();
    head.network = network;
    head.bounds.range = std::make_pair(-1.0, 1.0);  // pixels in [-1, 1]: the third bound of (7.6)
    description = "U-Net head: GroupNorm, SiLU, 3x3 conv on the trunk's last feature map";
  } else {
    const auto network = analytic::make_cov_head_mlp(data.size(1), gen, o.width);
    head.config_json = network->config().to_json();
    head.network = network;
    description = fmt::format("MLP2D, width {}", o.width);
  }
  head.network->to(model.device);  // beside the eps network, before train_cov_head builds its optimizer
  head.bounds.data_var = average_dim_variance(data);
  head.steps = o.steps;

  analytic::CovHeadTrainOptions options;
  options.steps = o.steps;
  options.batch_size = o.batch > 0 ? o.batch : (images ? 64 : 256);
  options.lr = o.lr;
  options.ema_decay = o.ema;
  options.seed = o.seed;
  // The resume file holds the live weights, Adam's moments, the EMA and the
  // generator's stream; the head file the weights to use (the EMA's, if any).
  const std::string resume_path = cov_head_resume_path(path);
  nn::Checkpoint resume_state;
  int64_t start = 0;
  if (o.resume && std::filesystem::exists(resume_path)) {
    resume_state = nn::load_checkpoint(resume_path, *head.network);
    options.resume = &resume_state;
    start = nn::parse_int64(resume_state.metadata["head_step"], resume_path + ": metadata 'head_step'", 0);
    out << fmt::format("resuming {} at step {}\n", resume_path, start);
  }
  options.checkpoint_every = o.checkpoint_every;
  if (o.resume || o.checkpoint_every > 0) {
    options.checkpoint = [&](const nn::Checkpoint& state) { nn::save_checkpoint(resume_path, *head.network, state); };
  }
  Progress progress(o.steps, start, "head step");
  progress.print_tenths_unless_drawn();
  options.progress = [&](int64_t step, int64_t) { progress.update(step); };
  // The eps network is frozen: train_cov_head calls it without a graph.
  const double loss =
      analytic::train_cov_head(*head.network, kind, model.discrete_eps(), data, model.schedule, options);
  progress.finish();
  save_cov_head(path, head);
  // A resumed run that starts at --steps only writes the head: it has no loss to report.
  const std::string loss_text = std::isnan(loss) ? "no steps run" : fmt::format("loss of the last 10% {:.4f}", loss);
  out << fmt::format("wrote {}: {} covariance head ({}), {} steps{}, {}\n", path, o.kind, description, o.steps,
                     o.ema > 0 ? fmt::format(", EMA {}", o.ema) : "", loss_text);
}

}  // namespace apps
