// config.json written and read back as flags (see train_config.h).
#include "apps/commands/train_config.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "apps/error.h"

namespace apps {
namespace {

// Each key is a flag's name: the one table of which settings a config holds.
nlohmann::json settings(const TrainOptions& o) {
  return {{"data", o.data},
          {"model", o.model},
          {"steps", o.steps},
          {"batch", o.batch},
          {"lr", o.lr},
          {"lr-schedule", o.lr_schedule},
          {"warmup", o.warmup},
          {"lr-decay-steps", o.lr_decay_steps},
          {"clip-grad", o.clip_grad},
          {"seed", o.seed},
          {"ckpt-every", o.ckpt_every},
          {"ema", o.ema},
          {"ema-warmup", o.ema_warmup},
          {"schedule", o.schedule},
          {"pred", o.pred},
          {"width", o.width},
          {"ch", o.ch},
          {"ch-mult", o.ch_mult},
          {"attn-res", o.attn_res},
          {"samples", o.samples},
          {"sample-every", o.sample_every},
          {"keep", o.keep},
          {"shards", o.shards},
          {"grad-reduce", o.grad_reduce},
          {"conditional", o.conditional},
          {"cond-drop", o.cond_drop}};
}

// With the SDE keys, which appear only in a --sde run's config (sigma's only
// for VE), so a discrete run's file is as it was before --sde existed; and
// without the class keys in an unconditional run's, for the same reason.
nlohmann::json settings_with_sde(const TrainOptions& o) {
  nlohmann::json s = settings(o);
  if (!o.sde.empty()) s["sde"] = o.sde;
  if (o.sde == "ve") {
    s["sigma-min"] = o.sigma_min;
    s["sigma-max"] = o.sigma_max;
  }
  if (o.loss_weight != "pred") {  // the same for a weighting other than the prediction's own
    s["loss-weight"] = o.loss_weight;
    s["min-snr-gamma"] = o.min_snr_gamma;
  }
  return s;
}

// Every key a config may hold: those of a VE run (and the class keys).
nlohmann::json known_settings() {
  TrainOptions ve;
  ve.sde = "ve";
  ve.loss_weight = "min-snr";
  return settings_with_sde(ve);
}

}  // namespace

std::string train_config_json(const TrainOptions& o) {
  nlohmann::json j = settings_with_sde(o);
  if (!o.conditional) {  // an unconditional run's config.json reads as it did before classes existed
    j.erase("conditional");
    j.erase("cond-drop");
  }
  return j.dump(2) + "\n";
}

std::vector<std::string> train_config_flags(const std::string& path) {
  std::ifstream in(path);
  APPS_CHECK(in.good(), "--config {}: cannot read it", path);
  nlohmann::json file;
  try {
    file = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error(fmt::format("--config {}: not JSON ({})", path, e.what()));
  }
  APPS_CHECK(file.is_object(), "--config {}: expected one JSON object of settings", path);
  const nlohmann::json known = known_settings();
  std::vector<std::string> flags;
  for (const auto& [key, value] : file.items()) {
    APPS_CHECK(known.contains(key), "--config {}: unknown setting '{}'", path, key);
    const nlohmann::json& like = known[key];
    if (like.is_boolean()) {
      APPS_CHECK(value.is_boolean(), "--config {}: '{}' must be true or false, got {}", path, key, value.dump());
      flags.push_back(value.get<bool>() ? "--" + key : "--no-" + key);
      continue;
    }
    const bool same_type = like.is_string() ? value.is_string() : value.is_number();
    APPS_CHECK(same_type, "--config {}: '{}' must be a {}, got {}", path, key, like.is_string() ? "string" : "number",
               value.dump());
    flags.push_back("--" + key);
    flags.push_back(value.is_string() ? value.get<std::string>() : value.dump());
  }
  return flags;
}

std::vector<std::string> train_recipe_flags(const std::string& name) {
  // docs/recipe.md: the search that chose these, and what each costs.
  if (name == "fast")
    return {"--data",     "fashion-mnist", "--model",       "unet",   "--batch",     "32", "--steps",    "15500",
            "--lr",       "1e-3",          "--warmup",      "100",    "--lr-schedule", "cosine", "--clip-grad", "1",
            "--schedule", "cosine",        "--pred",        "v"};
  throw Error(fmt::format("--recipe {}: unknown recipe (known: fast)", name));
}

}  // namespace apps
