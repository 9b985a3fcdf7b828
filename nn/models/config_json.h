// The JSON round trip of a model config (MLP2DConfig, UNetConfig,
// ClassifierConfig), written once. A config's .cpp declares its fields with
//   NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(UNetConfig, in_channels, ...)
// in namespace nn; these two functions do the rest. The text is one object
// with the fields and "model" = the model's name; reading takes the struct's
// defaults for missing keys and ignores keys it does not know ("model"), so
// an old checkpoint's config still loads.
#pragma once
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <string>

#include "tensor/error.h"

namespace nn {

template <typename Config>
std::string config_to_json(const Config& config, const char* model) {
  nlohmann::json j = config;
  // A model without classes writes no num_classes key: its text (and an
  // unconditional checkpoint) stays what it was before classes existed.
  if (j.contains("num_classes") && j["num_classes"] == 0) j.erase("num_classes");
  j["model"] = model;
  return j.dump();  // keys sorted: the same text for the same config
}

// `what` names the config in errors ("UNetConfig").
template <typename Config>
Config config_from_json(const std::string& text, const char* what) {
  try {
    return nlohmann::json::parse(text).get<Config>();
  } catch (const nlohmann::json::exception& e) {
    throw tensor::Error(fmt::format("[{}] bad config JSON: {}", what, e.what()));
  }
}

}  // namespace nn
