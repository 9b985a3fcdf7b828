// NoisyClassifier: a noise-aware classifier p_phi(c | x_t, t) for points,
// the classifier of classifier guidance (docs/math.md (12.2)). It reads the
// noisy point and the time label, as MLP2D does, and gives class logits:
//
//   logits = Linear(SiLU(Linear(SiLU(Linear([x_t, emb(t)])))))   (N, d + temb) -> (N, K)
//
// Shapes: N batch, d = data_dim, K = classes. Images have the CNN of
// classifier.h, which is not time-aware.
#pragma once
#include <memory>
#include <string>

#include "nn/layers/sequential.h"
#include "nn/module.h"
#include "tensor/random.h"

namespace nn {

struct NoisyClassifierConfig {
  int64_t data_dim = 2;
  int64_t width = 128;
  int64_t temb = 32;  // sinusoidal embedding size
  int64_t classes = 2;
  std::string to_json() const;
  static NoisyClassifierConfig from_json(const std::string& json);
};

class NoisyClassifier : public Module {
 public:
  NoisyClassifier(const NoisyClassifierConfig& config, tensor::Generator& gen);
  // x_t (N, d), t (N,) float32 labels as the denoiser's (nn/module.h) -> logits (N, K).
  Variable forward(const Variable& x, const Tensor& t);
  const NoisyClassifierConfig& config() const { return config_; }

  std::shared_ptr<Sequential> net;

 private:
  NoisyClassifierConfig config_;
};

}  // namespace nn
