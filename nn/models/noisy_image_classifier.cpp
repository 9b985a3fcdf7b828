// NoisyImageClassifier (see noisy_image_classifier.h). Children are registered
// in the order of the forward pass, which fixes the parameter order.
#include "nn/models/noisy_image_classifier.h"

#include "autograd/ops.h"
#include "nn/layers/activation.h"
#include "nn/layers/timestep_embedding.h"
#include "nn/models/config_json.h"

namespace nn {

namespace ag = autograd;

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(NoisyImageClassifierConfig, in_channels, height, width, channels,
                                                features, temb_in, tdim, classes)

std::string NoisyImageClassifierConfig::to_json() const { return config_to_json(*this, "NoisyImageClassifier"); }

NoisyImageClassifierConfig NoisyImageClassifierConfig::from_json(const std::string& text) {
  return config_from_json<NoisyImageClassifierConfig>(text, "NoisyImageClassifierConfig");
}

NoisyImageClassifier::NoisyImageClassifier(const NoisyImageClassifierConfig& config, tensor::Generator& gen)
    : config_(config) {
  TENSOR_CHECK(config.in_channels > 0 && config.height > 0 && config.width > 0 && config.channels > 0 &&
                   config.features > 0 && config.temb_in >= 4 && config.temb_in % 2 == 0 && config.tdim > 0 &&
                   config.classes >= 2,
               "[NoisyImageClassifier] bad config {}", config.to_json());
  const int64_t c = config.channels;
  temb = register_module("temb", std::make_shared<Sequential>());
  temb->push_back(std::make_shared<Linear>(config.temb_in, config.tdim, gen));
  temb->push_back(std::make_shared<SiLU>());
  temb->push_back(std::make_shared<Linear>(config.tdim, config.tdim, gen));
  conv1 =
      register_module("conv1", std::make_shared<Conv2d>(config.in_channels, c, 3, gen, /*stride=*/1, /*padding=*/1));
  t1 = register_module("t1", std::make_shared<Linear>(config.tdim, c, gen));
  conv2 = register_module("conv2", std::make_shared<Conv2d>(c, 2 * c, 3, gen, /*stride=*/2, /*padding=*/1));
  t2 = register_module("t2", std::make_shared<Linear>(config.tdim, 2 * c, gen));
  conv3 = register_module("conv3", std::make_shared<Conv2d>(2 * c, 2 * c, 3, gen, /*stride=*/2, /*padding=*/1));
  fc = register_module("fc", std::make_shared<Linear>(2 * c, config.features, gen));
  head = register_module("head", std::make_shared<Linear>(config.features, config.classes, gen));
}

namespace {

// h + proj(silu(temb)) with the (N, c) projection added at every position, as in ResBlock.
Variable add_time(const Variable& h, Linear& proj, const Variable& temb) {
  const Variable shift = proj.forward(ag::silu(temb));
  return ag::add(h, ag::reshape(shift, {shift.size(0), shift.size(1), 1, 1}));
}

}  // namespace

Variable NoisyImageClassifier::forward(const Variable& x, const Tensor& t) {
  TENSOR_CHECK(x.dim() == 4 && x.size(1) == config_.in_channels && x.size(2) == config_.height &&
                   x.size(3) == config_.width && t.dim() == 1 && t.size(0) == x.size(0),
               "[NoisyImageClassifier] x {} and t {} should be (N, {}, {}, {}) and (N,)", tensor::shape_str(x.shape()),
               tensor::shape_str(t.shape()), config_.in_channels, config_.height, config_.width);
  const Variable time = temb->forward(Variable(timestep_embedding(t, config_.temb_in).to(x.dtype())));
  Variable h = ag::silu(add_time(conv1->forward(x), *t1, time));
  h = ag::silu(add_time(conv2->forward(h), *t2, time));
  h = ag::silu(conv3->forward(h));
  const Variable pooled = ag::mean(h, {2, 3});  // global average pool: (N, 2c)
  return head->forward(ag::silu(fc->forward(pooled)));
}

}  // namespace nn
