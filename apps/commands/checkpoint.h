// A training run on disk: DIR/model.safetensors holds everything needed to
// sample from it and to resume it, in one file written atomically (nn's
// save_safetensors renames a finished temporary file). Layout in the Note.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "nn/module.h"
#include "tensor/random.h"

namespace apps {

// Note [Run checkpoint layout]: the tensors of model.safetensors are
//   <name>               the EMA weights, under the model's own names
//   live/<name>          the live (trained) weights, for --no-ema and resume
//   optim/<kind>.<name>  AdamW's moment buffers
// and its __metadata__ holds a RunConfig and a RunPosition as strings. One
// file keeps the weights, optimizer and position from ever disagreeing.

// What a run was trained with: all a sampler needs to rebuild the model.
struct RunConfig {
  std::string model = "mlp";  // mlp | unet
  std::string model_json;     // nn's MLP2DConfig / UNetConfig as JSON
  std::string schedule = "linear";
  std::string pred = "eps";
  int64_t T = 1000;
  // Continuous-time models (diffuse train --sde): the SDE, and VE's noise range; empty for a
  // discrete DDPM model, whose checkpoints have no such keys.
  std::string sde;
  double sigma_min = 0, sigma_max = 0;
  std::string data;           // the --data spec
  tensor::Shape data_shape;   // one example: (2) or (C, H, W)
  int64_t batch = 0;
  double lr = 0;
  // The lr schedule and clipping; absent from older checkpoints: constant, no warm-up, no clipping.
  std::string lr_schedule = "constant";
  int64_t warmup = 0;
  int64_t lr_decay_steps = 0;  // cosine only: fixed when the run starts, so a resume follows the same curve
  double clip_grad = 0;
  // The loss weighting: "pred" (the prediction's own MSE) or "min-snr" with its
  // gamma; absent from checkpoints of "pred" runs.
  std::string loss_weight = "pred";
  double min_snr_gamma = 0;
  double ema = 0;
  bool ema_warmup = false;  // absent from checkpoints made before the warm-up: off
  uint64_t seed = 0;
  int64_t shards = 1;  // the batch's shards (diffusion/data_parallel.h); absent from older checkpoints: 1
  // Class-conditional runs (the class count is the model config's num_classes):
  // the label dropout; absent from unconditional checkpoints.
  double cond_drop = 0;
};

// Where the training loop stands, saved with every checkpoint.
struct RunPosition {
  int64_t step = 0;        // optimizer steps done
  int64_t data_epoch = 0;  // the Batcher's position
  int64_t data_index = 0;
  uint64_t rng_stream = 0;  // the noise Generator's next stream
  int64_t ema_updates = 0;
};

struct Checkpoint {
  RunConfig config;
  RunPosition position;
  nn::StateDict ema, live, optim;
};

// DIR/model.safetensors (a path ending in .safetensors is used as is).
std::string checkpoint_path(const std::string& dir_or_file);

void save_checkpoint(const std::string& path, const Checkpoint& ckpt);
// Throws apps::Error naming the file when it is missing or not a checkpoint.
Checkpoint load_checkpoint(const std::string& path);

// A fresh network for the config (weights drawn from gen).
std::shared_ptr<nn::TimestepModel> make_network(const RunConfig& config, tensor::Generator& gen);

}  // namespace apps
