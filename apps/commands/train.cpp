// `diffuse train`: a batch from the Batcher, the denoising loss (docs/math.md
// 2.2), backward, AdamW, EMA; every --ckpt-every steps the whole state goes
// to DIR/model.safetensors, so --resume continues exactly (checkpoint.h).
// (diffusion::Trainer runs the same step but draws its own batches.)
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>

#include "apps/commands/checkpoint.h"
#include "apps/commands/commands.h"
#include "apps/commands/loss_log.h"
#include "apps/commands/sde_model.h"
#include "apps/commands/train_classes.h"
#include "apps/commands/train_config.h"
#include "apps/data/dataset.h"
#include "apps/device.h"
#include "apps/error.h"
#include "apps/io/figures.h"
#include "apps/parallel_job.h"
#include "apps/progress.h"
#include "autograd/ops.h"
#include "diffusion/data_parallel.h"
#include "diffusion/ddim.h"
#include "diffusion/prediction.h"
#include "diffusion/random_streams.h"
#include "diffusion/schedule.h"
#include "diffusion/timesteps.h"
#include "diffusion/training.h"
#include "nn/atomic_file.h"
#include "nn/models/mlp2d.h"
#include "nn/models/unet.h"
#include "nn/optim/adam.h"
#include "nn/optim/clip_grad.h"
#include "nn/optim/ema.h"
#include "nn/optim/lr_schedule.h"
#include "nn/strict_number.h"

namespace apps {
namespace {

namespace fs = std::filesystem;
using autograd::Variable;
using tensor::Tensor;

// "1,2,2" -> {1, 2, 2}, each at least `lo`; "" -> {}.
std::vector<int64_t> comma_list(const std::string& text, const std::string& flag, int64_t lo) {
  std::vector<int64_t> values;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    values.push_back(nn::parse_int64(std::string_view(text).substr(start, comma - start), flag + " " + text, lo));
    start = comma + 1;
  }
  return values;
}

// classes: 0 for an unconditional model (train_classes.h).
RunConfig make_config(const TrainOptions& o, const Tensor& data, int64_t classes) {
  RunConfig c;
  c.model = o.model;
  c.schedule = o.schedule;
  c.pred = o.pred;
  set_sde_config(o, data.dim() == 4, c);  // --sde: a continuous-time model instead (sde_model.h)
  c.data = o.data;
  c.data_shape = tensor::Shape(data.shape().begin() + 1, data.shape().end());
  c.batch = o.batch;
  c.lr = o.lr;
  c.lr_schedule = o.lr_schedule;
  c.warmup = o.warmup;
  c.lr_decay_steps = o.lr_schedule == "cosine" ? (o.lr_decay_steps > 0 ? o.lr_decay_steps : o.steps) : 0;
  APPS_CHECK(o.lr_schedule != "cosine" || c.lr_decay_steps > o.warmup,
             "--lr-schedule cosine decays after the warm-up, so --lr-decay-steps (or --steps) {} must exceed "
             "--warmup {}",
             c.lr_decay_steps, o.warmup);
  APPS_CHECK(o.lr_decay_steps == 0 || o.lr_schedule == "cosine",
             "--lr-decay-steps {} is for --lr-schedule cosine (the lr schedule is {})", o.lr_decay_steps,
             o.lr_schedule);
  c.clip_grad = o.clip_grad;
  c.loss_weight = o.loss_weight;
  c.min_snr_gamma = o.loss_weight == "pred" ? 0.0 : o.min_snr_gamma;
  APPS_CHECK(o.loss_weight != "pred" || o.min_snr_gamma == TrainOptions{}.min_snr_gamma,
             "--min-snr-gamma is for --loss-weight min-snr");
  APPS_CHECK(o.loss_weight == "pred" || o.sde.empty(),
             "--loss-weight {} is for discrete models; --sde runs use the loss (4.5)", o.loss_weight);
  c.ema = o.ema;
  c.ema_warmup = o.ema_warmup;
  c.seed = o.seed;
  c.shards = o.shards;
  c.cond_drop = classes > 0 ? o.cond_drop : 0.0;
  if (o.model == "mlp") {
    APPS_CHECK(data.dim() == 2, "--model mlp is for 2-D points, but --data {} holds images {}; use --model unet",
               o.data, tensor::shape_str(c.data_shape));
    nn::MLP2DConfig mlp;
    mlp.data_dim = data.size(1);
    mlp.width = o.width;
    mlp.num_classes = classes;
    c.model_json = mlp.to_json();
  } else {
    APPS_CHECK(data.dim() == 4, "--model unet is for images (N, C, H, W), but --data {} holds {}; use --model mlp",
               o.data, tensor::shape_str(data.shape()));
    APPS_CHECK(o.ch % 8 == 0, "--ch {} must be a multiple of 8 (GroupNorm uses 8 groups)", o.ch);
    nn::UNetConfig unet;
    unet.in_channels = data.size(1);
    unet.channels = o.ch;
    unet.num_classes = classes;
    unet.channel_mult = comma_list(o.ch_mult, "--ch-mult", 1);
    const int64_t halvings = static_cast<int64_t>(unet.channel_mult.size()) - 1;
    APPS_CHECK(halvings >= 1 && halvings <= 6, "--ch-mult {}: give 2 to 7 multipliers (one per level and the middle)",
               o.ch_mult);
    const int64_t side = int64_t{1} << halvings;
    APPS_CHECK(data.size(2) % side == 0 && data.size(3) % side == 0,
               "--model unet with --ch-mult {} halves the image {} times, so H and W must be multiples of {}; "
               "--data {} is {}x{}",
               o.ch_mult, halvings, side, o.data, data.size(2), data.size(3));
    // Level i works at side H / 2^i; the middle (H / 2^L) always has attention.
    for (const int64_t res : comma_list(o.attn_res, "--attn-res", 1)) {
      std::string sides;
      int64_t level = -1;
      for (int64_t i = 0; i < halvings; ++i) {
        sides += fmt::format("{}{}", i > 0 ? ", " : "", data.size(2) >> i);
        if (data.size(2) >> i == res) level = i;
      }
      APPS_CHECK(level >= 0, "--attn-res {}: the levels of this U-Net work at sides {} (the middle, {}, always has it)",
                 res, sides, data.size(2) >> halvings);
      unet.attention_levels.push_back(level);
    }
    c.model_json = unet.to_json();
  }
  return c;
}

void write_text_file(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << text;
  APPS_CHECK(file.good(), "{}: write failed", path);
}

// DIR/model-STEP.safetensors, a copy of the checkpoint just saved; of these
// copies only the `keep` latest stay.
void keep_numbered_copy(const std::string& ckpt_path, int64_t step, int64_t keep) {
  const fs::path dir = fs::path(ckpt_path).parent_path();
  fs::copy_file(ckpt_path, dir / fmt::format("model-{}.safetensors", step), fs::copy_options::overwrite_existing);
  std::vector<std::pair<int64_t, fs::path>> copies;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    const std::string prefix = "model-", suffix = ".safetensors";
    if (name.size() <= prefix.size() + suffix.size() || name.rfind(prefix, 0) != 0 ||
        name.substr(name.size() - suffix.size()) != suffix)
      continue;
    const std::string digits = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
    if (digits.find_first_not_of("0123456789") != std::string::npos) continue;
    copies.emplace_back(std::stoll(digits), entry.path());
  }
  std::sort(copies.begin(), copies.end());
  for (size_t i = 0; i + keep < copies.size(); ++i) fs::remove(copies[i].second);
}

// The lr of the optimizer step after `done` steps: linear warm-up over
// --warmup steps, then constant or cosine down to 0 at lr_decay_steps.
double lr_at(const RunConfig& c, int64_t done) {
  if (c.lr_schedule == "cosine") return nn::WarmupCosine{c.lr, c.warmup, c.lr_decay_steps, 0.0}(done);
  return done < c.warmup ? c.lr * static_cast<double>(done + 1) / static_cast<double>(c.warmup) : c.lr;
}

double mean_of_last(const std::vector<double>& values, size_t k) {
  k = std::min(k, values.size());
  double sum = 0;
  for (size_t i = values.size() - k; i < values.size(); ++i) sum += values[i];
  return k > 0 ? sum / k : 0.0;
}

}  // namespace

void run_train(const TrainOptions& o, std::ostream& all_out) {
  // In an MPI job every rank trains; rank 0 alone writes files and logs (docs/distributed.md).
  const bool root = is_root_rank();
  std::ostream& out = root_stream(all_out);
  const tensor::Device device = parse_device(o.device);
  APPS_CHECK(fs::path(o.out).extension() != ".safetensors" && !fs::is_regular_file(o.out),
             "--out {}: give a directory (the run writes several files into it)", o.out);
  const std::string ckpt_path = checkpoint_path(o.out);
  const bool have_ckpt = fs::exists(ckpt_path);
  APPS_CHECK(!o.resume || have_ckpt, "--resume: {} does not exist", ckpt_path);
  APPS_CHECK(o.resume || !have_ckpt, "{} already holds a run; add --resume to continue it, or choose another --out",
             o.out);

  // On --resume the checkpoint's config wins over the flags (only --steps,
  // --ckpt-every, --samples, --sample-every, --keep and --log-every apply), so
  // the run continues as it began.
  Checkpoint ckpt;
  if (o.resume) {
    ckpt = load_checkpoint(ckpt_path);
    // The run keeps the lr and batch it began with; a different one on the line would be ignored silently.
    APPS_CHECK(!o.lr_given || o.lr == ckpt.config.lr,
               "--resume with --lr {}: the run in {} trains with --lr {} (drop --lr, or start a new run)", o.lr, o.out,
               ckpt.config.lr);
    // The same for the lr schedule and clipping (a value other than the default and the run's one).
    const TrainOptions defaults;
    const RunConfig& c = ckpt.config;
    APPS_CHECK((o.lr_schedule == defaults.lr_schedule || o.lr_schedule == c.lr_schedule) &&
                   (o.warmup == defaults.warmup || o.warmup == c.warmup) &&
                   (o.lr_decay_steps == defaults.lr_decay_steps || o.lr_decay_steps == c.lr_decay_steps) &&
                   (o.clip_grad == defaults.clip_grad || o.clip_grad == c.clip_grad),
               "--resume: the run in {} trains with --lr-schedule {} --warmup {} --lr-decay-steps {} --clip-grad {}; "
               "drop those flags, or start a new run",
               o.out, c.lr_schedule, c.warmup, c.lr_decay_steps, c.clip_grad);
    APPS_CHECK((o.loss_weight == defaults.loss_weight || o.loss_weight == c.loss_weight) &&
                   (o.min_snr_gamma == defaults.min_snr_gamma || o.min_snr_gamma == c.min_snr_gamma),
               "--resume: the run in {} trains with --loss-weight {}; drop --loss-weight and --min-snr-gamma, or start "
               "a new run",
               o.out, c.loss_weight);
    APPS_CHECK(!o.batch_given || o.batch == ckpt.config.batch,
               "--resume with --batch {}: the run in {} trains with --batch {} (drop --batch, or start a new run)",
               o.batch, o.out, ckpt.config.batch);
    APPS_CHECK(o.shards == defaults.shards || o.shards == ckpt.config.shards,
               "--resume with --shards {}: the run in {} trains with --shards {} (drop --shards)", o.shards, o.out,
               ckpt.config.shards);
  }
  const std::string data_spec = o.resume ? ckpt.config.data : o.data;
  const uint64_t seed = o.resume ? ckpt.config.seed : o.seed;
  const bool conditional =
      o.resume ? ckpt.config.model_json.find("\"num_classes\"") != std::string::npos : o.conditional;
  APPS_CHECK(o.conditional || o.cond_drop == TrainOptions{}.cond_drop, "--cond-drop is for --conditional runs");
  Tensor labels;  // the data's classes, for a conditional run
  const Tensor data = load_data(data_spec, seed, 50000, conditional ? &labels : nullptr);
  const RunConfig config = o.resume ? ckpt.config : make_config(o, data, conditional ? class_count(o.data, labels) : 0);
  const tensor::Shape example(data.shape().begin() + 1, data.shape().end());
  APPS_CHECK(example == config.data_shape, "--data {} has examples {}, the checkpoint's model takes {}", data_spec,
             tensor::shape_str(example), tensor::shape_str(config.data_shape));
  if (o.resume && ckpt.position.step > o.steps) {
    out << fmt::format("{} is at step {} already (--steps {}): nothing to do\n", ckpt_path, ckpt.position.step,
                       o.steps);
    return;
  }
  diffusion::DataParallel parallel(nn::world(), config.batch, config.shards,
                                   diffusion::parse_grad_reduce(o.grad_reduce), o.grad_bucket_kb * 1024);
  nn::world().barrier();  // every rank has looked at --out before rank 0 writes to it
  if (root) {
    fs::create_directories(o.out);
    nn::remove_stale_temporaries(o.out);  // a run killed mid-save left them (Note [Atomic writes])
    if (!o.resume) write_text_file((fs::path(o.out) / "config.json").string(), train_config_json(o));
  }

  // Every consumer of the seed draws from its own streams: Note [Random streams].
  using diffusion::RandomUse;
  tensor::Generator init_gen = diffusion::generator_for(seed, RandomUse::InitialWeights);
  std::shared_ptr<nn::TimestepModel> net = make_network(config, init_gen);
  net->to(device);        // before the optimizer and EMA are built (Note [Moving a model] in nn/module.h)
  nn::AdamWOptions adam;  // PyTorch's AdamW defaults (weight decay 0.01) but the learning rate
  adam.lr = config.lr;
  nn::AdamW optimizer(net->named_parameters(), adam);
  nn::EMA ema(*net, config.ema, config.ema_warmup);
  Batcher batcher(data, config.batch, seed);
  tensor::Generator noise_gen = diffusion::generator_for(seed, RandomUse::TrainingNoise);  // t and eps for the loss
  std::vector<double> losses;
  int64_t start = 0;
  if (o.resume) {
    net->load_state_dict(ckpt.live);
    ema.load_state_dict(ckpt.ema, ckpt.position.ema_updates);
    optimizer.load_state_dict(ckpt.optim, ckpt.position.step);
    batcher.set_position({ckpt.position.data_epoch, ckpt.position.data_index});
    noise_gen.set_stream(ckpt.position.rng_stream);
    start = ckpt.position.step;
  }
  // loss.csv grows a row per step; a resumed run first cuts it back to its checkpoint.
  const std::string loss_path = (fs::path(o.out) / "loss.csv").string();
  std::optional<LossLog> loss_log;  // rank 0's
  if (root) o.resume ? loss_log.emplace(loss_path, start, losses) : loss_log.emplace(loss_path);

  const diffusion::Schedule schedule = diffusion::make_schedule(config.schedule, config.T);
  const diffusion::KernelFn kernel = diffusion::ddpm_kernel(schedule);
  const diffusion::Prediction pred = diffusion::parse_prediction(config.pred);
  // The loss is weighted like the prediction (x0-MSE for x0, v-MSE for v), the
  // usual objectives, unless --loss-weight says otherwise (12.9).
  diffusion::LossOptions loss_options;
  loss_options.prediction = pred;
  loss_options.weighting =
      diffusion::parse_loss_weighting(config.loss_weight == "pred" ? config.pred : config.loss_weight);
  loss_options.min_snr_gamma = config.min_snr_gamma;
  // --sde: the continuous loss (4.5) and probability-flow pictures instead (sde_model.h).
  const std::unique_ptr<diffusion::Sde> sde = config.sde.empty() ? nullptr : model_sde(config, "train");
  APPS_CHECK(!(sde && conditional), "--conditional is for discrete models; --sde {} runs are unconditional",
             config.sde);
  if (sde && (config.shards > 1 || nn::world().size() > 1))
    throw Error(
        fmt::format("--sde {} trains in one process with --shards 1 (data parallelism covers the discrete loss "
                    "only); got {} process(es), --shards {}",
                    config.sde, nn::world().size(), config.shards));
  int64_t last_saved = o.resume ? start : -1;

  auto save = [&](int64_t step) {
    Checkpoint c;
    c.config = config;
    c.position = {step, batcher.position().epoch, batcher.position().index, noise_gen.stream(), ema.num_updates()};
    for (const auto& [name, t] : net->state_dict()) c.live[name] = t;
    c.ema = ema.state_dict();
    c.optim = optimizer.state_dict();
    save_checkpoint(ckpt_path, c);
    if (o.keep > 0) keep_numbered_copy(ckpt_path, step, o.keep);
    write_loss_curve((fs::path(o.out) / "loss.svg").string(), losses);
    last_saved = step;
  };

  // A picture of what the EMA weights generate: 100 DDIM steps (eta 0; --sde:
  // the probability-flow ODE), from the same x_T every time (the Sampling
  // streams), so a run's pictures compare.
  const bool images = data.dim() == 4;
  const int64_t n = o.samples > 0 ? o.samples : (images ? 64 : 2000);
  const diffusion::DdimSampler sampler{schedule, diffusion::even_timesteps(config.T, std::min<int64_t>(100, config.T)),
                                       0.0, images};
  const std::string picture_sampler =
      sde ? fmt::format("{} SDE, ODE Heun, {} steps", config.sde, kPictureSteps) : "DDIM, 100 steps";
  auto draw_samples = [&](const std::string& file_name, int64_t at_step) {
    autograd::NoGradGuard no_grad;
    ema.swap(*net);  // the averages in, the live weights aside (swapped back below, untouched)
    net->eval();
    const diffusion::EpsModel eps = diffusion::eps_model_from(
        [&](const Variable& x, const Tensor& label) { return net->forward(x, label); }, pred, kernel);
    tensor::Shape shape = {n};
    shape.insert(shape.end(), example.begin(), example.end());
    tensor::Generator sample_gen = diffusion::generator_for(seed, RandomUse::Sampling);
    const Tensor x_T = tensor::randn(shape, sample_gen, tensor::DType::Float32, device);
    const Tensor samples =
        (sde ? sde_picture_samples(*sde, *net, x_T) : sampler.run(eps, x_T, sample_gen)).to(tensor::Device::CPU);
    const std::string picture = (fs::path(o.out) / file_name).string();
    if (images)
      write_png(picture, image_grid(samples, 0, default_grid_scale(samples.size(2))));
    else
      write_png(picture, scatter_plot(data.narrow(0, 0, std::min<int64_t>(n, data.size(0))), samples,
                                      fmt::format("{}, step {}: {}", data_spec, at_step, picture_sampler)));
    ema.swap(*net);
    net->train();
  };

  if (start == o.steps) {
    // Killed after its final checkpoint, maybe before loss.svg or samples.png
    // were written: the resume writes them (tests/apps/kill_resume_test.sh).
    out << fmt::format("{} is at step {} already: writing loss.svg and samples.png\n", ckpt_path, start);
    if (root) write_loss_curve((fs::path(o.out) / "loss.svg").string(), losses);
  } else {
    out << fmt::format(
        "training {} ({} parameters) on {} {} for steps {}..{}{}\n", config.model, net->parameter_count(), data_spec,
        tensor::shape_str(data.shape()), start + 1, o.steps,
        nn::world().size() > 1 ? fmt::format(" ({}, {} shards)", nn::world().describe(), config.shards) : "");
  }
  out << std::flush;  // a log file shows it at once, not when the buffer fills
  Progress progress = root ? Progress(o.steps, start) : Progress(o.steps, start, "step", false);
  progress.print_lines(out, o.log_every);
  net->train();
  for (int64_t step = start + 1; step <= o.steps; ++step) {
    test_failure_point(step);
    Tensor classes;
    const Tensor x0 = batcher.next(labels, conditional ? &classes : nullptr).to(device);  // the whole batch, every rank
    if (conditional) classes = training_classes(classes, net->num_classes(), config.cond_drop, seed, step).to(device);
    const double value = sde ? sde_loss_and_gradient(*sde, *net, x0, noise_gen)
                             : parallel.loss_and_gradient(*net, schedule, x0, noise_gen, loss_options, classes);
    if (!std::isfinite(value)) {
      progress.finish();
      throw Error(fmt::format("loss is {} at step {}; last good checkpoint: {}", std::isnan(value) ? "NaN" : "infinite",
                              step, last_saved >= 0 ? fmt::format("{} (step {})", ckpt_path, last_saved) : "none"));
    }
    if (config.clip_grad > 0) nn::clip_grad_norm(net->parameters(), config.clip_grad);
    optimizer.set_lr(lr_at(config, step - 1));
    optimizer.step();
    ema.update(*net);
    losses.push_back(value);
    if (root) loss_log->append(step, value);
    progress.update(step, value);
    if (!root) continue;
    if ((o.ckpt_every > 0 && step % o.ckpt_every == 0) || step == o.steps) save(step);
    if (o.sample_every > 0 && step % o.sample_every == 0) draw_samples(fmt::format("samples-{}.png", step), step);
  }
  progress.finish();
  if (!root) return;
  draw_samples("samples.png", o.steps);
  out << fmt::format("final loss {:.4f} (mean of the last 100 steps); wrote {}, loss.csv, loss.svg, samples.png\n",
                     mean_of_last(losses, 100), ckpt_path);
  // The EMA starts at the initial weights, which keep the product of the decays
  // (decay^steps without warm-up).
  double initial_share = 1;
  for (int64_t n = 0; n < ema.num_updates() && initial_share > 1e-6; ++n) initial_share *= ema.decay_at(n);
  if (initial_share > 0.1)
    out << fmt::format(
        "note: after {} steps the EMA weights are still {:.0f}% the initial ones; train longer or "
        "sample with --no-ema\n",
        ema.num_updates(), 100 * initial_share);
}

}  // namespace apps
