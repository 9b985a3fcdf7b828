// NoisyClassifier (see noisy_classifier.h).
#include "nn/models/noisy_classifier.h"

#include "autograd/ops.h"
#include "nn/layers/activation.h"
#include "nn/layers/linear.h"
#include "nn/layers/timestep_embedding.h"
#include "nn/models/config_json.h"

namespace nn {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(NoisyClassifierConfig, data_dim, width, temb, classes)

std::string NoisyClassifierConfig::to_json() const { return config_to_json(*this, "NoisyClassifier"); }

NoisyClassifierConfig NoisyClassifierConfig::from_json(const std::string& text) {
  return config_from_json<NoisyClassifierConfig>(text, "NoisyClassifierConfig");
}

NoisyClassifier::NoisyClassifier(const NoisyClassifierConfig& config, tensor::Generator& gen) : config_(config) {
  TENSOR_CHECK(config.data_dim > 0 && config.width > 0 && config.temb > 0 && config.classes >= 2,
               "[NoisyClassifier] bad config {}", config.to_json());
  net = register_module("net", std::make_shared<Sequential>());
  net->push_back(std::make_shared<Linear>(config.data_dim + config.temb, config.width, gen));
  net->push_back(std::make_shared<SiLU>());
  net->push_back(std::make_shared<Linear>(config.width, config.width, gen));
  net->push_back(std::make_shared<SiLU>());
  net->push_back(std::make_shared<Linear>(config.width, config.classes, gen));
}

Variable NoisyClassifier::forward(const Variable& x, const Tensor& t) {
  TENSOR_CHECK(x.dim() == 2 && x.size(1) == config_.data_dim && t.dim() == 1 && t.size(0) == x.size(0),
               "[NoisyClassifier] x {} and t {} should be (N, {}) and (N,)", tensor::shape_str(x.shape()),
               tensor::shape_str(t.shape()), config_.data_dim);
  const Variable emb(timestep_embedding(t, config_.temb).to(x.dtype()));
  return net->forward(autograd::cat({x, emb}, 1));
}

}  // namespace nn
