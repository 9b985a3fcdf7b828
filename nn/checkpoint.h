// Module checkpoints: a model's state_dict in a safetensors file, with
// metadata (training step, config JSON) and extra tensors (optimizer state,
// EMA weights). Model tensors keep their PyTorch names ("d1.c1.weight"), so
// torch can load_state_dict them; extra tensors carry a "group:" prefix
// ("optim:exp_avg.d1.c1.weight", "ema:d1.c1.weight"), which no parameter
// name can contain, and are skipped when matching the module.
#pragma once
#include <string>

#include "nn/module.h"
#include "nn/optim/ema.h"
#include "nn/optim/optimizer.h"
#include "nn/safetensors.h"

namespace nn {

struct Checkpoint {
  Metadata metadata;  // e.g. {"step": "1000", "config": "{...}"}
  StateDict extra;    // names "group:name"
};

// Writes the module's parameters and buffers plus `extra` (atomically).
void save_checkpoint(const std::string& path, const Module& module, const Checkpoint& extra = {});
// Loads the module's tensors, checking that every parameter and buffer is
// present with its dtype and shape and that no other (unprefixed) tensor is
// there; returns the metadata and the extra tensors. Errors name the file.
Checkpoint load_checkpoint(const std::string& path, Module& module);

// Throws, naming `source` and the tensor, if a float tensor holds a NaN or an
// infinity: weights like that sample NaN everywhere, so loaders refuse them.
void require_finite(const StateDict& tensors, const std::string& source);

// Optimizer and EMA state under a group prefix; the step counts go in metadata.
void put_optimizer_state(Checkpoint& ckpt, const Optimizer& optimizer, const std::string& group = "optim");
void restore_optimizer_state(const Checkpoint& ckpt, Optimizer& optimizer, const std::string& group = "optim");
void put_ema_state(Checkpoint& ckpt, const EMA& ema, const std::string& group = "ema");
void restore_ema_state(const Checkpoint& ckpt, EMA& ema, const std::string& group = "ema");

}  // namespace nn
