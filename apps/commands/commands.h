// The subcommands of `diffuse` as library functions, one options struct
// each (the flags of cli.cpp, with their defaults). Each writes its files,
// prints a short report on `out` and throws apps::Error (or tensor::Error)
// for anything the user can fix; cli.cpp turns that into exit status 2.
#pragma once
#include <cstdint>
#include <ostream>
#include <string>

#include "apps/commands/analytic_flags.h"
#include "apps/commands/guidance_flags.h"

namespace apps {

struct TrainOptions {
  std::string data;             // see kDataHelp in data/dataset.h
  std::string model = "mlp";    // mlp | unet
  int64_t steps = 4000;
  int64_t batch = 256;
  double lr = 2e-4;
  std::string lr_schedule = "constant";  // constant | cosine (to 0 at --lr-decay-steps)
  int64_t warmup = 0;           // lr rises linearly from lr/N to lr over the first N steps (0: none)
  int64_t lr_decay_steps = 0;   // cosine: the step where the lr reaches 0 (0: --steps of the first run)
  double clip_grad = 0;         // rescale gradients to global L2 norm <= this before each step (0: off)
  std::string out;              // the run directory
  bool resume = false;
  uint64_t seed = 0;
  int64_t ckpt_every = 1000;    // 0: only at the end
  double ema = 0.999;
  bool ema_warmup = true;           // EMA decay min(ema, (1 + n) / (10 + n)) at update n (nn/optim/ema.h)
  std::string schedule = "linear";  // linear | cosine | blog
  std::string pred = "eps";         // eps | x0 | v
  std::string loss_weight = "pred";  // pred: the prediction's own MSE (2.2)-(2.4) | min-snr (12.9)
  double min_snr_gamma = 5;         // --loss-weight min-snr: gamma
  std::string sde;                  // vp | subvp | ve: a continuous-time model (sde_model.h); empty: discrete DDPM
  double sigma_min = 0.01;          // --sde ve: the noise std at t = 0 and at t = 1 (0: 50 for images,
  double sigma_max = 0;             // 10 for 2-D points)
  int64_t width = 256;          // mlp hidden width
  int64_t ch = 32;              // unet base channels
  std::string ch_mult = "1,2,2";  // unet: channel multiplier per level, the last one the middle's
  std::string attn_res;         // unet: resolutions (image sides, "14,7") whose levels get attention besides the middle
  int64_t samples = 0;          // samples drawn at the end (0: 2000 points or 64 images)
  int64_t sample_every = 0;     // also DIR/samples-STEP.png every N steps (0: never)
  int64_t keep = 0;             // numbered checkpoints DIR/model-STEP.safetensors kept besides the latest
  std::string config;           // --config FILE: the cli reads it (train_config.h); run_train ignores it
  std::string recipe;           // --recipe NAME: the same (train_recipe_flags)
  int64_t log_every = 0;        // a plain progress line on `out` every N steps (0: none; the CLI's default
                                // is 100 when stdout is not a terminal)
  std::string device = "cpu";   // cpu | cuda (apps/device.h)
  int64_t shards = 1;           // the batch's shards, each rank computing shards/N of them (docs/distributed.md)
  std::string grad_reduce = "exact";  // exact | allreduce: how the shard gradients are summed
  int64_t grad_bucket_kb = 256;       // allreduce: bucket size, sent during backward; 0: whole, after it
  bool conditional = false;     // class-conditional on the data's labels (train_classes.h)
  double cond_drop = 0.1;       // --conditional: probability of training a label as the null class
  bool lr_given = false;        // --lr / --batch were on the command line: --resume refuses a value that
  bool batch_given = false;     // differs from the run's (it keeps its own)
};

// The model a sampling command runs: a checkpoint's network or the exact oracle.
struct ModelSourceOptions {
  std::string ckpt;    // run directory (or a .safetensors file)
  std::string oracle;  // gmm:FILE.json
  bool no_ema = false;
  std::string device = "cpu";  // where the network runs: cpu | cuda (apps/device.h)
};

struct SampleOptions {
  ModelSourceOptions source;
  std::string sampler = "ddim";
  int64_t steps = 100;
  double eta = 0.0;
  double snr = 0.16;         // pc: the Langevin corrector's signal-to-noise ratio r (docs/math.md 4.8)
  int64_t corrector_steps = 1;  // pc: corrector steps M after each predictor step
  int64_t n = 1000;
  int64_t batch = 0;  // rows per sampler run (0: 128 images, or all points); chunk i uses seed + i
  uint64_t seed = 0;
  std::string out;
  std::string x_T;  // optional .npy of starting noise
  int scale = 0;    // .png image grids: pixels per image pixel (0: 2 up to 32-pixel images, else 1)
  AnalyticFlags analytic;  // --trajectory, --c-estimate, --gamma, --cov-head
  GuidanceFlags guidance;  // --class, --guidance, --classifier
};

struct InvertOptions {
  ModelSourceOptions source;
  std::string in;
  int64_t steps = 100;
  std::string out;
};

struct NllOptions {
  ModelSourceOptions source;
  std::string data;
  std::string method = "ode";  // elbo | ode
  // elbo: the reverse variance, beta | beta-tilde (docs/math.md 2.6) | analytic | npr | sn
  std::string variance = "beta";
  int64_t steps = 1000;        // elbo: the sub-sequence length
  int64_t n = 1000;            // points or images evaluated
  uint64_t seed = 0;
  AnalyticFlags analytic;      // --trajectory, --c-estimate, --gamma, --cov-head, --json
};

void run_train(const TrainOptions& options, std::ostream& out);
void run_sample(const SampleOptions& options, std::ostream& out);
void run_invert(const InvertOptions& options, std::ostream& out);
void run_nll(const NllOptions& options, std::ostream& out);

}  // namespace apps
