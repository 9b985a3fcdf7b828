// UNet (see unet.h). Modules are registered in the reference's attribute
// order (temb, conv_in, d1, down1, d2, down2, m1, mattn, m2, up2, u2, up1, u1,
// n_out, conv_out), so named_parameters() lists them as PyTorch does.
#include "nn/models/unet.h"

#include <algorithm>

#include "autograd/ops.h"
#include "nn/layers/activation.h"
#include "nn/layers/linear.h"
#include "nn/layers/timestep_embedding.h"
#include "nn/models/config_json.h"
#include "tensor/ops.h"

namespace nn {

namespace ag = autograd;

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(UNetConfig, in_channels, channels, channel_mult, tdim, temb_in, groups,
                                                attention_levels, mid_attention, heads, num_classes)

std::string UNetConfig::to_json() const { return config_to_json(*this, "UNet"); }

UNetConfig UNetConfig::from_json(const std::string& text) { return config_from_json<UNetConfig>(text, "UNetConfig"); }

UNet::UNet(const UNetConfig& config, tensor::Generator& gen) : config_(config) {
  const auto& mult = config.channel_mult;
  TENSOR_CHECK(mult.size() >= 2 && config.channels > 0 && config.in_channels > 0,
               "[UNet] channel_mult needs at least two entries (one down level and the middle); config {}",
               config.to_json());
  const int64_t L = static_cast<int64_t>(mult.size()) - 1;
  for (int64_t level : config.attention_levels)
    TENSOR_CHECK(level >= 0 && level < L, "[UNet] attention level {} is not one of the {} down levels", level, L);
  auto has_attention = [&](int64_t i) {
    return std::find(config.attention_levels.begin(), config.attention_levels.end(), i) !=
           config.attention_levels.end();
  };
  auto name = [](const char* stem, int64_t i) { return stem + std::to_string(i + 1); };
  const int64_t tdim = config.tdim, groups = config.groups;

  temb_ = register_module("temb", std::make_shared<Sequential>());
  temb_->push_back(std::make_shared<Linear>(config.temb_in, tdim, gen));
  temb_->push_back(std::make_shared<SiLU>());
  temb_->push_back(std::make_shared<Linear>(tdim, tdim, gen));
  conv_in_ = register_module("conv_in", std::make_shared<Conv2d>(config.in_channels, config.channels, 3, gen, 1, 1));

  levels_.resize(L);
  int64_t ch = config.channels;  // channels flowing into the next block
  for (int64_t i = 0; i < L; ++i) {
    const int64_t out = config.channels * mult[i];
    Level& lv = levels_[i];
    lv.down_block = register_module(name("d", i), std::make_shared<ResBlock>(ch, out, tdim, gen, groups));
    if (has_attention(i))
      lv.down_attn = register_module(name("da", i), std::make_shared<SpatialAttention>(out, gen, groups, config.heads));
    lv.down = register_module(name("down", i), std::make_shared<Conv2d>(out, out, 3, gen, 2, 1));
    ch = out;
  }
  const int64_t mid = config.channels * mult[L];
  m1_ = register_module("m1", std::make_shared<ResBlock>(ch, mid, tdim, gen, groups));
  if (config.mid_attention)
    mattn_ = register_module("mattn", std::make_shared<SpatialAttention>(mid, gen, groups, config.heads));
  m2_ = register_module("m2", std::make_shared<ResBlock>(mid, mid, tdim, gen, groups));
  ch = mid;
  for (int64_t i = L - 1; i >= 0; --i) {
    const int64_t skip = config.channels * mult[i];
    Level& lv = levels_[i];
    lv.up = register_module(name("up", i), std::make_shared<Conv2d>(ch, ch, 3, gen, 1, 1));
    lv.up_block = register_module(name("u", i), std::make_shared<ResBlock>(ch + skip, skip, tdim, gen, groups));
    if (has_attention(i))
      lv.up_attn = register_module(name("ua", i), std::make_shared<SpatialAttention>(skip, gen, groups, config.heads));
    ch = skip;
  }
  n_out_ = register_module("n_out", std::make_shared<GroupNorm>(groups, ch));
  conv_out_ = register_module("conv_out", std::make_shared<Conv2d>(ch, config.in_channels, 3, gen, 1, 1));
  // Last, so the other weights draw the numbers they draw without classes.
  TENSOR_CHECK(config.num_classes >= 0, "[UNet] num_classes must be >= 0, got {}", config.num_classes);
  if (config.num_classes > 0)
    class_emb_ = register_module("class_emb", std::make_shared<ClassEmbedding>(config.num_classes, tdim, gen));
}

Variable UNet::forward(const Variable& x, const Tensor& t) {
  Variable h = features(x, t);
  if (keep_features_) {
    kept_x_ = x.data();
    kept_t_ = t;
    kept_h_ = h.data();  // detached: the head treats the trunk as frozen
  }
  return output(h);
}

void UNet::keep_features(bool on) {
  keep_features_ = on;
  kept_x_ = kept_t_ = kept_h_ = Tensor();
}

Tensor UNet::kept_features(const Tensor& x, const Tensor& t) const {
  if (!kept_h_.defined()) return Tensor();
  const bool same_x = x.storage() == kept_x_.storage() && x.offset() == kept_x_.offset() &&
                      x.shape() == kept_x_.shape() && x.strides() == kept_x_.strides();
  const bool same_t = t.shape() == kept_t_.shape() && t.dtype() == kept_t_.dtype() &&
                      tensor::sum(tensor::abs(t.to(tensor::DType::Float64) - kept_t_.to(tensor::DType::Float64)))
                              .item() == 0.0;
  return same_x && same_t ? kept_h_ : Tensor();
}

Variable UNet::forward_class(const Variable& x, const Tensor& t, const Tensor& classes) {
  if (!class_emb_) return TimestepModel::forward_class(x, t, classes);  // throws
  TENSOR_CHECK(classes.dim() == 1 && classes.size(0) == x.size(0), "[UNet] classes {} should be ({},)",
               tensor::shape_str(classes.shape()), x.size(0));
  return output(features_for(x, t, classes));
}

Variable UNet::output(const Variable& h) { return conv_out_->forward(n_out_->forward_silu(h)); }

Variable UNet::features(const Variable& x, const Tensor& t) { return features_for(x, t, Tensor()); }

Variable UNet::features_for(const Variable& x, const Tensor& t, const Tensor& classes) {
  const int64_t L = static_cast<int64_t>(levels_.size());
  const int64_t factor = int64_t{1} << L;
  TENSOR_CHECK(x.dim() == 4 && x.size(1) == config_.in_channels && x.size(2) % factor == 0 && x.size(3) % factor == 0,
               "[UNet] x {} should be (N, {}, H, W) with H and W divisible by {}", tensor::shape_str(x.shape()),
               config_.in_channels, factor);
  TENSOR_CHECK(t.dim() == 1 && t.size(0) == x.size(0), "[UNet] t {} should be (N,) for x {}",
               tensor::shape_str(t.shape()), tensor::shape_str(x.shape()));
  Variable temb = temb_->forward(Variable(timestep_embedding(t, config_.temb_in).to(x.dtype())));
  // The label rides on the time embedding (docs/math.md section 12).
  if (class_emb_) temb = temb + class_emb_->forward(classes.defined() ? classes : null_classes(x.size(0), t.device()));

  Variable h = conv_in_->forward(x);
  std::vector<Variable> kept;
  for (int64_t i = 0; i < L; ++i) {
    h = levels_[i].down_block->forward(h, temb);
    if (levels_[i].down_attn) h = levels_[i].down_attn->forward(h);
    kept.push_back(h);
    h = levels_[i].down->forward(h);
  }
  h = m1_->forward(h, temb);
  if (mattn_) h = mattn_->forward(h);
  h = m2_->forward(h, temb);
  for (int64_t i = L - 1; i >= 0; --i) {
    h = levels_[i].up->forward(ag::upsample_nearest2d(h, 2));
    h = levels_[i].up_block->forward(ag::cat({h, kept[i]}, 1), temb);
    if (levels_[i].up_attn) h = levels_[i].up_attn->forward(h);
  }
  return h;
}

}  // namespace nn
