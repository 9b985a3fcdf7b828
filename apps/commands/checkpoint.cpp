// Checkpoint layout and the network factory (see checkpoint.h). Metadata
// values are strings (the safetensors rule), so numbers go through
// std::to_string / std::stoll and the shape through a comma list.
#include "apps/commands/checkpoint.h"

#include <filesystem>

#include "apps/error.h"
#include "nn/models/mlp2d.h"
#include "nn/models/unet.h"
#include "nn/safetensors.h"

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

tensor::Shape shape_from_string(const std::string& s) {
  tensor::Shape shape;
  size_t start = 0;
  while (start < s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    shape.push_back(std::stoll(s.substr(start, comma - start)));
    start = comma + 1;
  }
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
  const nn::Metadata metadata = {
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
      {"ema", exact(c.ema)},
      {"ema_warmup", c.ema_warmup ? "1" : "0"},
      {"seed", std::to_string(c.seed)},
      {"step", std::to_string(p.step)},
      {"data_epoch", std::to_string(p.data_epoch)},
      {"data_index", std::to_string(p.data_index)},
      {"rng_stream", std::to_string(p.rng_stream)},
      {"ema_updates", std::to_string(p.ema_updates)},
  };
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
  try {
    RunConfig& c = ckpt.config;
    c.model = get("model");
    c.model_json = get("model_config");
    c.schedule = get("schedule");
    c.pred = get("pred");
    c.T = std::stoll(get("T"));
    c.data = get("data");
    c.data_shape = shape_from_string(get("data_shape"));
    c.batch = std::stoll(get("batch"));
    c.lr = std::stod(get("lr"));
    c.ema = std::stod(get("ema"));
    c.ema_warmup = m.count("ema_warmup") != 0 && get("ema_warmup") == "1";
    c.seed = std::stoull(get("seed"));
    RunPosition& p = ckpt.position;
    p.step = std::stoll(get("step"));
    p.data_epoch = std::stoll(get("data_epoch"));
    p.data_index = std::stoll(get("data_index"));
    p.rng_stream = std::stoull(get("rng_stream"));
    p.ema_updates = std::stoll(get("ema_updates"));
  } catch (const std::logic_error&) {  // std::stoll and friends on a malformed value
    throw Error(fmt::format("{}: malformed checkpoint metadata", path));
  }
  for (auto& [name, t] : contents.tensors) {
    if (name.rfind(kLive, 0) == 0) ckpt.live[name.substr(std::string(kLive).size())] = t;
    else if (name.rfind(kOptim, 0) == 0) ckpt.optim[name.substr(std::string(kOptim).size())] = t;
    else ckpt.ema[name] = t;
  }
  return ckpt;
}

std::shared_ptr<nn::TimestepModel> make_network(const RunConfig& config, tensor::Generator& gen) {
  if (config.model == "mlp") return std::make_shared<nn::MLP2D>(nn::MLP2DConfig::from_json(config.model_json), gen);
  if (config.model == "unet") return std::make_shared<nn::UNet>(nn::UNetConfig::from_json(config.model_json), gen);
  throw Error(fmt::format("unknown model '{}' (valid: mlp, unet)", config.model));
}

}  // namespace apps
