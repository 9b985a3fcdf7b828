// UNet: the DDPM U-Net of the reference models, configurable. Shapes:
// N batch, C = channels * channel_mult[i] at level i. With L = mult.size() - 1
// down levels, the input side must be divisible by 2^L.
//
//   temb = temb(sinusoid(t, temb_in))            Linear, SiLU, Linear -> (N, tdim)
//   h = conv_in(x)
//   level i = 0..L-1:  h = d{i+1}(h) [da{i+1}];  keep h;  h = down{i+1}(h)  (stride 2)
//   middle:            h = m2(mattn(m1(h)))
//   level i = L-1..0:  h = up{i+1}(upsample2(h));  h = u{i+1}(cat(h, kept_i)) [ua{i+1}]
//   out = conv_out(silu(n_out(h)))      features(x, t) = this last h; output(h) = out
//
// The default config (1x28x28, channels 32, mult {1, 2, 2}, attention only in
// the middle) is the reference UNet exactly: same names, 587,809 parameters.
// With num_classes C > 0, temb += class_emb(c), a (C + 1, tdim) table
// registered after conv_out (Note [Class-conditional models] in nn/module.h).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "nn/layers/attention.h"
#include "nn/layers/class_embedding.h"
#include "nn/layers/conv2d.h"
#include "nn/layers/group_norm.h"
#include "nn/layers/sequential.h"
#include "nn/models/resblock.h"
#include "nn/module.h"

namespace nn {

struct UNetConfig {
  int64_t in_channels = 1;
  int64_t channels = 32;
  std::vector<int64_t> channel_mult = {1, 2, 2};  // per down level, the last one is the middle
  int64_t tdim = 128;                              // time embedding width inside the net
  int64_t temb_in = 64;                            // sinusoidal embedding size
  int64_t groups = 8;                              // GroupNorm groups
  std::vector<int64_t> attention_levels = {};      // down/up levels (0-based) that get attention
  bool mid_attention = true;
  int64_t heads = 1;
  int64_t num_classes = 0;  // C: 0 for an unconditional model
  std::string to_json() const;
  static UNetConfig from_json(const std::string& json);
};

class UNet : public TimestepModel {
 public:
  explicit UNet(const UNetConfig& config, tensor::Generator& gen);
  Variable forward(const Variable& x, const Tensor& t) override;  // output(features(x, t))
  Variable forward_class(const Variable& x, const Tensor& t, const Tensor& classes) override;
  int64_t num_classes() const override { return config_.num_classes; }
  const UNetConfig& config() const { return config_; }

  // The last feature map h, (N, channels * channel_mult[0], H, W), and the
  // output stage on it: a second head on the same features (unet_head.h)
  // reads the first.
  Variable features(const Variable& x, const Tensor& t);
  Variable output(const Variable& h);

  // Note [Keeping the last feature map]: with keep_features(true), forward()
  // remembers its input and the (detached) features it computed, and
  // kept_features(x, t) returns them when x is the very same tensor (same
  // storage, offset, shape, strides) and t holds the same labels; otherwise an
  // undefined Tensor. A sampler calls eps_theta(x_t, t) and then the
  // covariance head on the same x_t, so the head costs no second trunk pass.
  // Off by default: the kept batch is memory a plain model should not hold.
  void keep_features(bool on);
  Tensor kept_features(const Tensor& x, const Tensor& t) const;

 private:
  struct Level {
    std::shared_ptr<ResBlock> down_block, up_block;
    std::shared_ptr<SpatialAttention> down_attn, up_attn;  // null unless the level has attention
    std::shared_ptr<Conv2d> down, up;
  };
  // features(x, t) for the given classes (undefined: the null class, or none without classes).
  Variable features_for(const Variable& x, const Tensor& t, const Tensor& classes);

  UNetConfig config_;
  std::shared_ptr<Sequential> temb_;
  std::shared_ptr<ClassEmbedding> class_emb_;  // null without classes
  std::shared_ptr<Conv2d> conv_in_, conv_out_;
  std::vector<Level> levels_;
  std::shared_ptr<ResBlock> m1_, m2_;
  std::shared_ptr<SpatialAttention> mattn_;
  std::shared_ptr<GroupNorm> n_out_;
  bool keep_features_ = false;
  Tensor kept_x_, kept_t_, kept_h_;
};

}  // namespace nn
