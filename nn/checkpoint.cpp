// Module checkpoints (see checkpoint.h): a thin layer over safetensors.h and
// Module::load_state_dict, which does the per-tensor checks.
#include "nn/checkpoint.h"

#include <cmath>

#include "nn/strict_number.h"

namespace nn {

namespace {
bool is_extra(const std::string& name) { return name.find(':') != std::string::npos; }

// The tensors of `group`, with "group:" removed from their names.
StateDict take_group(const StateDict& extra, const std::string& group) {
  StateDict out;
  const std::string prefix = group + ":";
  for (const auto& [name, t] : extra)
    if (name.compare(0, prefix.size(), prefix) == 0) out[name.substr(prefix.size())] = t;
  return out;
}

int64_t metadata_int(const Checkpoint& ckpt, const std::string& key) {
  auto found = ckpt.metadata.find(key);
  TENSOR_CHECK(found != ckpt.metadata.end(), "[checkpoint] metadata has no '{}'", key);
  return parse_int64(found->second, fmt::format("[checkpoint] metadata '{}'", key), 0);
}

template <typename T>
bool all_finite(const Tensor& t) {
  const Tensor c = t.contiguous();
  const T* p = c.data<T>();
  for (int64_t i = 0; i < c.numel(); ++i)
    if (!std::isfinite(p[i])) return false;
  return true;
}
}  // namespace

void require_finite(const StateDict& tensors, const std::string& source) {
  for (const auto& [name, t] : tensors) {
    const bool finite = t.dtype() == DType::Float32   ? all_finite<float>(t)
                        : t.dtype() == DType::Float64 ? all_finite<double>(t)
                                                      : true;
    TENSOR_CHECK(finite, "{}: tensor '{}' {} holds NaN or infinite values (a diverged run?)", source, name,
                 tensor::shape_str(t.shape()));
  }
}

void save_checkpoint(const std::string& path, const Module& module, const Checkpoint& extra) {
  StateDict tensors = module.state_dict();
  for (const auto& [name, t] : extra.extra) {
    TENSOR_CHECK(is_extra(name), "[save_checkpoint] extra tensor '{}' needs a 'group:' prefix", name);
    tensors[name] = t;
  }
  save_safetensors(path, tensors, extra.metadata);
}

Checkpoint load_checkpoint(const std::string& path, Module& module) {
  SafetensorsContents contents = load_safetensors(path);
  require_finite(contents.tensors, "[load_checkpoint] " + path);
  Checkpoint ckpt;
  ckpt.metadata = std::move(contents.metadata);
  StateDict model;
  for (auto& [name, t] : contents.tensors) (is_extra(name) ? ckpt.extra : model)[name] = t;
  try {
    module.load_state_dict(model);
  } catch (const tensor::Error& e) {
    throw tensor::Error(fmt::format("[load_checkpoint] {}: {}", path, e.what()));
  }
  return ckpt;
}

void put_optimizer_state(Checkpoint& ckpt, const Optimizer& optimizer, const std::string& group) {
  for (const auto& [name, t] : optimizer.state_dict()) ckpt.extra[group + ":" + name] = t;
  ckpt.metadata[group + ":step"] = std::to_string(optimizer.step_count());
  ckpt.metadata[group + ":lr"] = fmt::format("{}", optimizer.lr());
}

void restore_optimizer_state(const Checkpoint& ckpt, Optimizer& optimizer, const std::string& group) {
  optimizer.load_state_dict(take_group(ckpt.extra, group), metadata_int(ckpt, group + ":step"));
  auto lr = ckpt.metadata.find(group + ":lr");
  if (lr != ckpt.metadata.end())
    optimizer.set_lr(parse_finite_double(lr->second, fmt::format("[checkpoint] metadata '{}:lr'", group)));
}

void put_ema_state(Checkpoint& ckpt, const EMA& ema, const std::string& group) {
  for (const auto& [name, t] : ema.state_dict()) ckpt.extra[group + ":" + name] = t;
  ckpt.metadata[group + ":updates"] = std::to_string(ema.num_updates());
}

void restore_ema_state(const Checkpoint& ckpt, EMA& ema, const std::string& group) {
  ema.load_state_dict(take_group(ckpt.extra, group), metadata_int(ckpt, group + ":updates"));
}

}  // namespace nn
