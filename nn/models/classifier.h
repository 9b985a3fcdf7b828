// Classifier: a small CNN image classifier whose penultimate layer gives the
// features of the image Frechet distance (docs/math.md (11.3)). Shapes: N batch,
// C channels, H, W; F = config.features, K = config.classes.
//
//   h = silu(conv1(x))   3x3, C -> channels                  (N, c, H, W)
//   h = silu(conv2(h))   3x3 stride 2, c -> 2c               (N, 2c, H/2, W/2)
//   h = silu(conv3(h))   3x3 stride 2, 2c -> 2c              (N, 2c, H/4, W/4)
//   features(x) = silu(fc(mean of h over H, W))              (N, F)
//   forward(x)  = head(features(x))                          (N, K) logits
//
// Default (1x28x28, channels 32, 128 features, 10 classes): 65,354 parameters.
// The global average pool would take any H, W; the config still records the
// size it was trained on, so a metric can refuse images it has never seen.
#pragma once
#include <memory>
#include <string>

#include "nn/layers/linear.h"
#include "nn/layers/sequential.h"
#include "nn/module.h"
#include "tensor/random.h"

namespace nn {

struct ClassifierConfig {
  int64_t in_channels = 1;
  int64_t height = 28;
  int64_t width = 28;
  int64_t channels = 32;   // conv1's output; conv2 and conv3 have twice as many
  int64_t features = 128;  // F, the width of fc
  int64_t classes = 10;    // K
  std::string to_json() const;
  static ClassifierConfig from_json(const std::string& json);
};

class Classifier : public Module {
 public:
  explicit Classifier(const ClassifierConfig& config, tensor::Generator& gen);
  // x (N, C, H, W) of the config's C, H, W -> (N, F).
  Variable features(const Variable& x);
  // x (N, C, H, W) -> logits (N, K).
  Variable forward(const Variable& x);
  Variable operator()(const Variable& x) { return forward(x); }
  const ClassifierConfig& config() const { return config_; }

  std::shared_ptr<Sequential> trunk;     // conv1, SiLU, conv2, SiLU, conv3, SiLU
  std::shared_ptr<Linear> fc, head;

 private:
  ClassifierConfig config_;
};

}  // namespace nn
