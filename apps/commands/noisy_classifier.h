// `diffuse train-classifier --noisy`: the noise-aware classifier of
// classifier guidance (docs/math.md (12.2)), trained by cross-entropy on
// x_t ~ q(x_t | x_0) at t ~ Uniform{1..T}: an MLP for labeled 2-D points
// (nn/models/noisy_classifier.h), a small time-aware CNN for labeled images
// (nn/models/noisy_image_classifier.h); and its file, which `diffuse sample
// --classifier` reads.
#pragma once
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "apps/commands/train_classifier.h"
#include "nn/module.h"
#include "nn/safetensors.h"

namespace apps {

// Note [Noisy classifier file]: a safetensors file of the network's weights;
// its __metadata__ holds "model" = "NoisyClassifier" (points) or
// "NoisyImageClassifier" (images), "config" = that model's config JSON,
// "schedule" and "T" (the noise it was trained under: a diffusion model of
// another schedule would feed it other x_t), and how it was trained
// ("data", "steps", "accuracy_t1", ...).
inline constexpr const char* kNoisyClassifierModel = "NoisyClassifier";
inline constexpr const char* kNoisyImageClassifierModel = "NoisyImageClassifier";

void run_train_noisy_classifier(const TrainClassifierOptions& options, std::ostream& out);

// Either network, as training, the file and guidance see it.
// Shapes: N batch, then the example's own dims; K classes.
struct LoadedNoisyClassifier {
  std::shared_ptr<nn::Module> network;  // in evaluation mode
  // (x_t, the denoiser's label (N,)) -> logits (N, K); calls `network`.
  std::function<autograd::Variable(const autograd::Variable&, const tensor::Tensor&)> logits;
  tensor::Shape example_shape;  // (d) for points, (C, H, W) for images
  int64_t classes = 0;          // K
  std::string schedule;
  int64_t T = 0;
};
// Throws apps::Error naming the file when it is missing or not such a file.
LoadedNoisyClassifier load_noisy_classifier(const std::string& path);

}  // namespace apps
