// MLP2D (see mlp2d.h).
#include "nn/models/mlp2d.h"

#include "autograd/ops.h"
#include "nn/layers/activation.h"
#include "nn/layers/linear.h"
#include "nn/layers/timestep_embedding.h"
#include "nn/models/config_json.h"

namespace nn {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(MLP2DConfig, data_dim, width, temb, hidden_layers, num_classes)

std::string MLP2DConfig::to_json() const { return config_to_json(*this, "MLP2D"); }

MLP2DConfig MLP2DConfig::from_json(const std::string& text) {
  return config_from_json<MLP2DConfig>(text, "MLP2DConfig");
}

MLP2D::MLP2D(const MLP2DConfig& config, tensor::Generator& gen) : config_(config) {
  TENSOR_CHECK(config.hidden_layers >= 1 && config.width > 0 && config.data_dim > 0 && config.num_classes >= 0,
               "[MLP2D] bad config {}", config.to_json());
  net = register_module("net", std::make_shared<Sequential>());
  net->push_back(std::make_shared<Linear>(config.data_dim + config.temb, config.width, gen));
  net->push_back(std::make_shared<SiLU>());
  for (int64_t i = 1; i < config.hidden_layers; ++i) {
    net->push_back(std::make_shared<Linear>(config.width, config.width, gen));
    net->push_back(std::make_shared<SiLU>());
  }
  net->push_back(std::make_shared<Linear>(config.width, config.data_dim, gen));
  // Last, so the other weights draw the numbers they draw without classes.
  if (config.num_classes > 0)
    class_emb = register_module("class_emb", std::make_shared<ClassEmbedding>(config.num_classes, config.temb, gen));
}

Variable MLP2D::forward(const Variable& x, const Tensor& t) {
  if (class_emb) return forward_class(x, t, null_classes(x.size(0), t.device()));
  check_inputs(x, t);
  Variable emb(timestep_embedding(t, config_.temb).to(x.dtype()));
  return net->forward(autograd::cat({x, emb}, 1));
}

Variable MLP2D::forward_class(const Variable& x, const Tensor& t, const Tensor& classes) {
  if (!class_emb) return TimestepModel::forward_class(x, t, classes);  // throws
  check_inputs(x, t);
  TENSOR_CHECK(classes.dim() == 1 && classes.size(0) == x.size(0), "[MLP2D] classes {} should be ({},)",
               tensor::shape_str(classes.shape()), x.size(0));
  // emb(t) + emb(c): the label rides on the time embedding (docs/math.md section 12).
  Variable emb = Variable(timestep_embedding(t, config_.temb).to(x.dtype())) + class_emb->forward(classes);
  return net->forward(autograd::cat({x, emb}, 1));
}

void MLP2D::check_inputs(const Variable& x, const Tensor& t) const {
  TENSOR_CHECK(x.dim() == 2 && x.size(1) == config_.data_dim && t.dim() == 1 && t.size(0) == x.size(0),
               "[MLP2D] x {} and t {} should be (N, {}) and (N,)", tensor::shape_str(x.shape()),
               tensor::shape_str(t.shape()), config_.data_dim);
}

}  // namespace nn
