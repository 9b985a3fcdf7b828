// UNetHead (see unet_head.h).
#include "nn/models/unet_head.h"

#include <nlohmann/json.hpp>

#include "autograd/grad_mode.h"

namespace nn {

std::string UNetHeadConfig::to_json() const {
  const nlohmann::json j = {{"model", "UNetHead"}, {"out_channels", out_channels}, {"groups", groups}};
  return j.dump();
}

UNetHeadConfig UNetHeadConfig::from_json(const std::string& text) {
  UNetHeadConfig c;
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    TENSOR_CHECK(j.value("model", std::string()) == "UNetHead", "[UNetHeadConfig] not a UNetHead config: {}", text);
    c.out_channels = j.value("out_channels", c.out_channels);
    c.groups = j.value("groups", c.groups);
  } catch (const nlohmann::json::exception& e) {
    throw tensor::Error(fmt::format("[UNetHeadConfig] bad config JSON: {}", e.what()));
  }
  return c;
}

UNetHead::UNetHead(std::shared_ptr<UNet> trunk, const UNetHeadConfig& config, tensor::Generator& gen)
    : trunk_(std::move(trunk)), config_(config) {
  TENSOR_CHECK(trunk_ != nullptr, "[UNetHead] needs a trunk UNet");
  TENSOR_CHECK(config.out_channels > 0, "[UNetHead] out_channels must be positive, got {}", config.out_channels);
  const int64_t channels = trunk_->config().channels * trunk_->config().channel_mult.front();
  norm_ = register_module("norm", std::make_shared<GroupNorm>(config.groups, channels));
  conv_ = register_module("conv", std::make_shared<Conv2d>(channels, config.out_channels, 3, gen, 1, 1));
  // Zero-initialized as in the reference: the head starts at h = 0 and
  // learns only what the frozen features explain.
  Tensor weight = conv_->weight.data(), bias = conv_->bias.data();  // views of the parameters' storage
  weight.fill_(0.0);
  bias.fill_(0.0);
  trunk_->keep_features(true);
}

Variable UNetHead::forward(const Variable& x, const Tensor& t) {
  Tensor h = trunk_->kept_features(x.data(), t);
  if (!h.defined()) {
    autograd::NoGradGuard no_grad;  // the trunk is frozen
    h = trunk_->features(x.detach(), t).data();
    ++trunk_passes_;
  }
  return conv_->forward(norm_->forward_silu(Variable(h)));
}

}  // namespace nn
