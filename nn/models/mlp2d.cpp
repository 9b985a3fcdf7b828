// MLP2D (see mlp2d.h).
#include "nn/models/mlp2d.h"

#include <nlohmann/json.hpp>

#include "autograd/ops.h"
#include "nn/layers/activation.h"
#include "nn/layers/linear.h"
#include "nn/layers/timestep_embedding.h"

namespace nn {

std::string MLP2DConfig::to_json() const {
  nlohmann::json j = {{"model", "MLP2D"}, {"data_dim", data_dim}, {"width", width}, {"temb", temb},
                      {"hidden_layers", hidden_layers}};
  return j.dump();
}

MLP2DConfig MLP2DConfig::from_json(const std::string& text) {
  MLP2DConfig c;
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    c.data_dim = j.value("data_dim", c.data_dim);
    c.width = j.value("width", c.width);
    c.temb = j.value("temb", c.temb);
    c.hidden_layers = j.value("hidden_layers", c.hidden_layers);
  } catch (const nlohmann::json::exception& e) {
    throw tensor::Error(fmt::format("[MLP2DConfig] bad config JSON: {}", e.what()));
  }
  return c;
}

MLP2D::MLP2D(const MLP2DConfig& config, tensor::Generator& gen) : config_(config) {
  TENSOR_CHECK(config.hidden_layers >= 1 && config.width > 0 && config.data_dim > 0,
               "[MLP2D] bad config {}", config.to_json());
  net = register_module("net", std::make_shared<Sequential>());
  net->push_back(std::make_shared<Linear>(config.data_dim + config.temb, config.width, gen));
  net->push_back(std::make_shared<SiLU>());
  for (int64_t i = 1; i < config.hidden_layers; ++i) {
    net->push_back(std::make_shared<Linear>(config.width, config.width, gen));
    net->push_back(std::make_shared<SiLU>());
  }
  net->push_back(std::make_shared<Linear>(config.width, config.data_dim, gen));
}

Variable MLP2D::forward(const Variable& x, const Tensor& t) {
  TENSOR_CHECK(x.dim() == 2 && x.size(1) == config_.data_dim && t.dim() == 1 && t.size(0) == x.size(0),
               "[MLP2D] x {} and t {} should be (N, {}) and (N,)", tensor::shape_str(x.shape()),
               tensor::shape_str(t.shape()), config_.data_dim);
  Variable emb(timestep_embedding(t, config_.temb).to(x.dtype()));
  return net->forward(autograd::cat({x, emb}, 1));
}

}  // namespace nn
