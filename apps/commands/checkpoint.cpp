// Checkpoint layout and the network factory (see checkpoint.h). Metadata
// values are strings (the safetensors rule), so numbers go through
// std::to_string / nn::parse_int64 (strict: "5x" is refused) and the shape
// through a comma list.
#include "apps/commands/checkpoint.h"

#include <filesystem>

#include "apps/error.h"
#include "nn/checkpoint.h"
#include "nn/models/mlp2d.h"
#include "nn/models/unet.h"
#include "nn/safetensors.h"
#include "nn/strict_number.h"

namespace apps {
namespace {

constexpr const char* kLive = "live/";
constexpr const char* kOptim = "optim/";

std::string shape_to_string(const tensor::Shape& shape) {
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ',';
    s += std::to_string(shape[i]);
  }
  return s;
}

// "3,28,28" -> (3, 28, 28); each size in 1..2^31 (the data shape of one example).
tensor::Shape shape_from_string(const std::string& s, const std::string& what) {
  tensor::Shape shape;
  size_t start = 0;
  while (start < s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    shape.push_back(nn::parse_int64(std::string_view(s).substr(start, comma - start), what, 1, int64_t{1} << 31));
    start = comma + 1;
  }
  APPS_CHECK(!shape.empty() && shape.size() <= 3, "{}: '{}' is not a data shape of 1 to 3 sizes", what, s);
  tensor::numel_of(shape);  // throws past 2^63
  return shape;
}

// The double as text that reads back to the same bits.
std::string exact(double v) { return fmt::format("{}", v); }

}  // namespace

std::string checkpoint_path(const std::string& dir_or_file) {
  const std::filesystem::path p(dir_or_file);
  return p.extension() == ".safetensors" ? dir_or_file : (p / "model.safetensors").string();
}

void save_checkpoint(const std::string& path, const Checkpoint& ckpt) {
  nn::StateDict tensors = ckpt.ema;
  for (const auto& [name, t] : ckpt.live) tensors[kLive + name] = t;
  for (const auto& [name, t] : ckpt.optim) tensors[kOptim + name] = t;
  const RunConfig& c = ckpt.config;
  const RunPosition& p = ckpt.position;
  nn::Metadata metadata = {
      {"format", "diffuse-run-1"},
      {"model", c.model},
      {"model_config", c.model_json},
      {"schedule", c.schedule},
      {"pred", c.pred},
      {"T", std::to_string(c.T)},
      {"data", c.data},
      {"data_shape", shape_to_string(c.data_shape)},
      {"batch", std::to_string(c.batch)},
      {"lr", exact(c.lr)},
      {"lr_schedule", c.lr_schedule},
      {"warmup", std::to_string(c.warmup)},
      {"lr_decay_steps", std::to_string(c.lr_decay_steps)},
      {"clip_grad", exact(c.clip_grad)},
      {"ema", exact(c.ema)},
      {"ema_warmup", c.ema_warmup ? "1" : "0"},
      {"seed", std::to_string(c.seed)},
      {"shards", std::to_string(c.shards)},
      {"step", std::to_string(p.step)},
      {"data_epoch", std::to_string(p.data_epoch)},
      {"data_index", std::to_string(p.data_index)},
      {"rng_stream", std::to_string(p.rng_stream)},
      {"ema_updates", std::to_string(p.ema_updates)},
  };
  if (!c.sde.empty()) {  // absent for a discrete model, whose file stays as it was
    metadata["sde"] = c.sde;
    if (c.sde == "ve") {
      metadata["sigma_min"] = exact(c.sigma_min);
      metadata["sigma_max"] = exact(c.sigma_max);
    }
  }
  if (c.model_json.find("\"num_classes\"") != std::string::npos) metadata["cond_drop"] = exact(c.cond_drop);
  if (c.loss_weight != "pred") {  // absent for the default weighting, whose files stay as they were
    metadata["loss_weight"] = c.loss_weight;
    metadata["min_snr_gamma"] = exact(c.min_snr_gamma);
  }
  nn::save_safetensors(path, tensors, metadata);
}

Checkpoint load_checkpoint(const std::string& path) {
  APPS_CHECK(std::filesystem::is_regular_file(path), "{}: no such checkpoint", path);
  nn::SafetensorsContents contents = nn::load_safetensors(path);
  const nn::Metadata& m = contents.metadata;
  auto get = [&](const char* key) -> const std::string& {
    auto found = m.find(key);
    APPS_CHECK(found != m.end(), "{}: not a `diffuse train` checkpoint (no '{}' in its metadata)", path, key);
    return found->second;
  };
  APPS_CHECK(get("format") == "diffuse-run-1", "{}: unknown checkpoint format '{}'", path, get("format"));
  Checkpoint ckpt;
  auto what = [&](const char* key) { return fmt::format("{}: metadata '{}'", path, key); };
  auto integer = [&](const char* key, int64_t lo) { return nn::parse_int64(get(key), what(key), lo); };
  RunConfig& c = ckpt.config;
  c.model = get("model");
  c.model_json = get("model_config");
  c.schedule = get("schedule");
  c.pred = get("pred");
  c.T = integer("T", 1);
  c.data = get("data");
  if (m.count("sde") != 0) {  // a continuous-time model (diffuse train --sde)
    c.sde = get("sde");
    APPS_CHECK(c.sde == "vp" || c.sde == "subvp" || c.sde == "ve", "{}: unknown sde '{}' (valid: vp, subvp, ve)", path,
               c.sde);
    if (c.sde == "ve") {
      c.sigma_min = nn::parse_finite_double(get("sigma_min"), what("sigma_min"));
      c.sigma_max = nn::parse_finite_double(get("sigma_max"), what("sigma_max"));
      APPS_CHECK(0 < c.sigma_min && c.sigma_min < c.sigma_max,
                 "{}: metadata sigma_min {} and sigma_max {} need 0 < sigma_min < sigma_max", path, c.sigma_min,
                 c.sigma_max);
    }
  }
  c.data_shape = shape_from_string(get("data_shape"), what("data_shape"));
  c.batch = integer("batch", 1);
  c.lr = nn::parse_finite_double(get("lr"), what("lr"));
  if (m.count("lr_schedule") != 0) {  // checkpoints from before the lr schedule have none of these
    c.lr_schedule = get("lr_schedule");
    APPS_CHECK(c.lr_schedule == "constant" || c.lr_schedule == "cosine", "{}: unknown lr_schedule '{}'", path,
               c.lr_schedule);
    c.warmup = integer("warmup", 0);
    c.lr_decay_steps = integer("lr_decay_steps", 0);
    c.clip_grad = nn::parse_finite_double(get("clip_grad"), what("clip_grad"));
  }
  c.ema = nn::parse_finite_double(get("ema"), what("ema"));
  c.ema_warmup = m.count("ema_warmup") != 0 && get("ema_warmup") == "1";
  c.seed = nn::parse_uint64(get("seed"), what("seed"));
  if (m.count("shards") != 0) c.shards = integer("shards", 1);
  if (m.count("cond_drop") != 0) c.cond_drop = nn::parse_finite_double(get("cond_drop"), what("cond_drop"));
  if (m.count("loss_weight") != 0) {
    c.loss_weight = get("loss_weight");
    APPS_CHECK(c.loss_weight == "min-snr", "{}: unknown loss_weight '{}' (valid: min-snr)", path, c.loss_weight);
    c.min_snr_gamma = nn::parse_finite_double(get("min_snr_gamma"), what("min_snr_gamma"));
  }
  RunPosition& p = ckpt.position;
  p.step = integer("step", 0);
  p.data_epoch = integer("data_epoch", 0);
  p.data_index = integer("data_index", 0);
  p.rng_stream = nn::parse_uint64(get("rng_stream"), what("rng_stream"));
  p.ema_updates = integer("ema_updates", 0);
  nn::require_finite(contents.tensors, path);
  for (auto& [name, t] : contents.tensors) {
    if (name.rfind(kLive, 0) == 0)
      ckpt.live[name.substr(std::string(kLive).size())] = t;
    else if (name.rfind(kOptim, 0) == 0)
      ckpt.optim[name.substr(std::string(kOptim).size())] = t;
    else
      ckpt.ema[name] = t;
  }
  return ckpt;
}

std::shared_ptr<nn::TimestepModel> make_network(const RunConfig& config, tensor::Generator& gen) {
  if (config.model == "mlp") return std::make_shared<nn::MLP2D>(nn::MLP2DConfig::from_json(config.model_json), gen);
  if (config.model == "unet") return std::make_shared<nn::UNet>(nn::UNetConfig::from_json(config.model_json), gen);
  throw Error(fmt::format("unknown model '{}' (valid: mlp, unet)", config.model));
}

}  // namespace apps
