// `diffuse train-classifier --noisy`: the noise-aware classifier of
// classifier guidance (docs/math.md (12.2); nn/models/noisy_classifier.h),
// trained by cross-entropy on x_t ~ q(x_t | x_0) at t ~ Uniform{1..T}, for
// labeled 2-D data; and its file, which `diffuse sample --classifier` reads.
#pragma once
#include <memory>
#include <ostream>
#include <string>

#include "apps/commands/train_classifier.h"
#include "nn/models/noisy_classifier.h"
#include "nn/safetensors.h"

namespace apps {

// Note [Noisy classifier file]: a safetensors file of the network's weights;
// its __metadata__ holds "model" = "NoisyClassifier", "config" =
// NoisyClassifierConfig JSON, "schedule" and "T" (the noise it was trained
// under: a diffusion model of another schedule would feed it other x_t), and
// how it was trained ("data", "steps", "accuracy_t1", ...).
inline constexpr const char* kNoisyClassifierModel = "NoisyClassifier";

void run_train_noisy_classifier(const TrainClassifierOptions& options, std::ostream& out);

struct LoadedNoisyClassifier {
  std::shared_ptr<nn::NoisyClassifier> network;  // in evaluation mode
  std::string schedule;
  int64_t T = 0;
};
// Throws apps::Error naming the file when it is missing or not such a file.
LoadedNoisyClassifier load_noisy_classifier(const std::string& path);

}  // namespace apps
