// Classifier (see classifier.h).
#include "nn/models/classifier.h"

#include <nlohmann/json.hpp>

#include "autograd/ops.h"
#include "nn/layers/activation.h"
#include "nn/layers/conv2d.h"

namespace nn {

std::string ClassifierConfig::to_json() const {
  nlohmann::json j = {{"model", "Classifier"}, {"in_channels", in_channels}, {"height", height}, {"width", width},
                      {"channels", channels},  {"features", features},       {"classes", classes}};
  return j.dump();
}

ClassifierConfig ClassifierConfig::from_json(const std::string& text) {
  ClassifierConfig c;
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    c.in_channels = j.value("in_channels", c.in_channels);
    c.height = j.value("height", c.height);
    c.width = j.value("width", c.width);
    c.channels = j.value("channels", c.channels);
    c.features = j.value("features", c.features);
    c.classes = j.value("classes", c.classes);
  } catch (const nlohmann::json::exception& e) {
    throw tensor::Error(fmt::format("[ClassifierConfig] bad config JSON: {}", e.what()));
  }
  return c;
}

Classifier::Classifier(const ClassifierConfig& config, tensor::Generator& gen) : config_(config) {
  TENSOR_CHECK(config.in_channels > 0 && config.height > 0 && config.width > 0 && config.channels > 0 &&
                   config.features > 0 && config.classes >= 2,
               "[Classifier] bad config {}", config.to_json());
  const int64_t c = config.channels;
  trunk = register_module("trunk", std::make_shared<Sequential>());
  trunk->push_back(std::make_shared<Conv2d>(config.in_channels, c, 3, gen, /*stride=*/1, /*padding=*/1));
  trunk->push_back(std::make_shared<SiLU>());
  trunk->push_back(std::make_shared<Conv2d>(c, 2 * c, 3, gen, /*stride=*/2, /*padding=*/1));
  trunk->push_back(std::make_shared<SiLU>());
  trunk->push_back(std::make_shared<Conv2d>(2 * c, 2 * c, 3, gen, /*stride=*/2, /*padding=*/1));
  trunk->push_back(std::make_shared<SiLU>());
  fc = register_module("fc", std::make_shared<Linear>(2 * c, config.features, gen));
  head = register_module("head", std::make_shared<Linear>(config.features, config.classes, gen));
}

Variable Classifier::features(const Variable& x) {
  TENSOR_CHECK(x.dim() == 4 && x.size(1) == config_.in_channels && x.size(2) == config_.height &&
                   x.size(3) == config_.width,
               "[Classifier] input {} should be (N, {}, {}, {})", tensor::shape_str(x.shape()), config_.in_channels,
               config_.height, config_.width);
  const Variable pooled = autograd::mean(trunk->forward(x), {2, 3});  // global average pool: (N, 2c)
  return autograd::silu(fc->forward(pooled));
}

Variable Classifier::forward(const Variable& x) { return head->forward(features(x)); }

}  // namespace nn
