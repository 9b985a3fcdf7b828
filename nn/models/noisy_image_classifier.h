// NoisyImageClassifier: a noise-aware image classifier p_phi(c | x_t, t), the
// classifier of classifier guidance (docs/math.md (12.2)) for gray or RGB
// images. A small CNN in the shape of classifier.h's, told the time the way
// the U-Net is (unet.h): the sinusoidal embedding, an MLP, and a per-channel
// shift after each of the first two convolutions, as in ResBlock.
// Shapes: N batch, C channels, H, W; c = config.channels, K = config.classes.
//
//   temb = Linear(SiLU(Linear(sinusoid(t, temb_in))))        (N, tdim)
//   h = silu(conv1(x) + t1(silu(temb)))    3x3, C -> c       (N, c, H, W)
//   h = silu(conv2(h) + t2(silu(temb)))    3x3 /2, c -> 2c   (N, 2c, H/2, W/2)
//   h = silu(conv3(h))                     3x3 /2, 2c -> 2c  (N, 2c, H/4, W/4)
//   logits = head(silu(fc(mean of h over H, W)))             (N, K)
//
// Default (1x28x28, channels 16, 10 classes): 26,202 parameters. It is not
// the metric's classifier (classifier.h): that one never sees noise.
#pragma once
#include <memory>
#include <string>

#include "nn/layers/conv2d.h"
#include "nn/layers/linear.h"
#include "nn/layers/sequential.h"
#include "nn/module.h"
#include "tensor/random.h"

namespace nn {

struct NoisyImageClassifierConfig {
  int64_t in_channels = 1;
  int64_t height = 28;
  int64_t width = 28;
  int64_t channels = 16;  // conv1's output; conv2 and conv3 have twice as many
  int64_t features = 64;  // the width of fc
  int64_t temb_in = 32;   // sinusoidal embedding size
  int64_t tdim = 64;      // the time MLP's width
  int64_t classes = 10;   // K
  std::string to_json() const;
  static NoisyImageClassifierConfig from_json(const std::string& json);
};

class NoisyImageClassifier : public Module {
 public:
  NoisyImageClassifier(const NoisyImageClassifierConfig& config, tensor::Generator& gen);
  // x_t (N, C, H, W) of the config's C, H, W, t (N,) float32 labels as the
  // denoiser's (nn/module.h) -> logits (N, K).
  Variable forward(const Variable& x, const Tensor& t);
  const NoisyImageClassifierConfig& config() const { return config_; }

  std::shared_ptr<Sequential> temb;
  std::shared_ptr<Conv2d> conv1, conv2, conv3;
  std::shared_ptr<Linear> t1, t2, fc, head;

 private:
  NoisyImageClassifierConfig config_;
};

}  // namespace nn
