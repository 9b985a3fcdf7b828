// UNetHead: a second output head on a trained UNet's last feature map, the
// trunk frozen. The Extended-Analytic-DPM covariance head of the reference
// code (docs/math.md section 8) is one: GroupNorm -> SiLU -> 3x3 conv, the conv
// zero-initialized so the head starts at h = 0. Shapes: x (N, C, H, W),
// t (N,) -> (N, out_channels, H, W).
//
// The trunk is held, not registered: the head's parameters and state_dict are
// its own two layers ("norm.*", "conv.*"), and training the head never
// touches the trunk. The trunk runs without a graph; with
// trunk->keep_features(true) (which the constructor sets) a head call right
// after trunk->forward on the same x reuses that pass (Note [Keeping the last
// feature map], unet.h).
#pragma once
#include <memory>
#include <string>

#include "nn/layers/conv2d.h"
#include "nn/layers/group_norm.h"
#include "nn/models/unet.h"

namespace nn {

struct UNetHeadConfig {
  int64_t out_channels = 1;  // the trunk's in_channels for a per-pixel covariance
  int64_t groups = 8;
  std::string to_json() const;  // {"model": "UNetHead", "out_channels": ..., "groups": ...}
  static UNetHeadConfig from_json(const std::string& json);
};

class UNetHead : public TimestepModel {
 public:
  UNetHead(std::shared_ptr<UNet> trunk, const UNetHeadConfig& config, tensor::Generator& gen);
  Variable forward(const Variable& x, const Tensor& t) override;
  const UNetHeadConfig& config() const { return config_; }
  // How many calls ran the trunk themselves (the rest reused its kept features).
  int64_t trunk_passes() const { return trunk_passes_; }

 private:
  std::shared_ptr<UNet> trunk_;
  UNetHeadConfig config_;
  std::shared_ptr<GroupNorm> norm_;
  std::shared_ptr<Conv2d> conv_;
  int64_t trunk_passes_ = 0;
};

}  // namespace nn
