// UNet: the DDPM U-Net of the reference models, configurable. Shapes:
// N batch, C = channels * channel_mult[i] at level i. With L = mult.size() - 1
// down levels, the input side must be divisible by 2^L.
//
//   temb = temb(sinusoid(t, temb_in))            Linear, SiLU, Linear -> (N, tdim)
//   h = conv_in(x)
//   level i = 0..L-1:  h = d{i+1}(h) [da{i+1}];  keep h;  h = down{i+1}(h)  (stride 2)
//   middle:            h = m2(mattn(m1(h)))
//   level i = L-1..0:  h = up{i+1}(upsample2(h));  h = u{i+1}(cat(h, kept_i)) [ua{i+1}]
//   out = conv_out(silu(n_out(h)))
//
// The default config (1x28x28, channels 32, mult {1, 2, 2}, attention only in
// the middle) is the reference UNet exactly: same names, 587,809 parameters.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "nn/layers/attention.h"
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
  std::string to_json() const;
  static UNetConfig from_json(const std::string& json);
};

class UNet : public TimestepModel {
 public:
  explicit UNet(const UNetConfig& config, tensor::Generator& gen);
  Variable forward(const Variable& x, const Tensor& t) override;
  const UNetConfig& config() const { return config_; }

 private:
  struct Level {
    std::shared_ptr<ResBlock> down_block, up_block;
    std::shared_ptr<SpatialAttention> down_attn, up_attn;  // null unless the level has attention
    std::shared_ptr<Conv2d> down, up;
  };
  UNetConfig config_;
  std::shared_ptr<Sequential> temb_;
  std::shared_ptr<Conv2d> conv_in_, conv_out_;
  std::vector<Level> levels_;
  std::shared_ptr<ResBlock> m1_, m2_;
  std::shared_ptr<SpatialAttention> mattn_;
  std::shared_ptr<GroupNorm> n_out_;
};

}  // namespace nn
