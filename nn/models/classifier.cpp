// Classifier (see classifier.h).
#include "nn/models/classifier.h"

#include "autograd/ops.h"
#include "nn/layers/activation.h"
#include "nn/layers/conv2d.h"
#include "nn/models/config_json.h"

namespace nn {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ClassifierConfig, in_channels, height, width, channels, features, classes)

std::string ClassifierConfig::to_json() const { return config_to_json(*this, "Classifier"); }

ClassifierConfig ClassifierConfig::from_json(const std::string& text) {
  return config_from_json<ClassifierConfig>(text, "ClassifierConfig");
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
