// `diffuse train-classifier`: trains the classifier whose features the image
// sample-quality metric compares (docs/math.md (11.3); nn/models/classifier.h),
// reports its accuracy on the test set and writes it to one file
// (Note [Classifier file] in image_classifier.h).
#pragma once
#include <cstdint>
#include <ostream>
#include <string>

#include "apps/progress.h"
#include "autograd/variable.h"
#include "nn/optim/adam.h"

namespace apps {

struct TrainClassifierOptions {
  std::string data = "fashion-mnist";  // see kLabeledDataHelp in data/labeled_images.h
  std::string test_data;               // default: fashion-mnist-test[:DIR] for fashion-mnist[:DIR]
  // 3000 steps of 128 (6.4 epochs) at 3e-3: 87.4% test accuracy on Fashion-MNIST
  // in about 5 minutes of one core; 1000 steps at 1e-3 reach only 72%.
  int64_t steps = 3000;
  int64_t batch = 128;
  double lr = 3e-3;  // AdamW
  uint64_t seed = 0;
  // 0: the model's default. Metric classifier: channels 32, features 128;
  // --noisy points: features (the MLP's width) 128; --noisy images: 16, 64.
  int64_t channels = 0;        // conv1's output channels
  int64_t features = 0;        // the feature width
  std::string out;             // FILE.safetensors
  std::string device = "cpu";  // cpu | cuda (apps/device.h)
  // --noisy: the noise-aware classifier of classifier guidance on labeled 2-D
  // points or images (noisy_classifier.h), trained on x_t under this schedule (T = 1000).
  bool noisy = false;
  std::string schedule = "linear";
};

void run_train_classifier(const TrainClassifierOptions& options, std::ostream& out);

// --test-data, or fashion-mnist-test[:DIR] for --data fashion-mnist[:DIR];
// throws for other data without --test-data.
std::string test_data_spec(const TrainClassifierOptions& options);

// The config of an image classifier (nn::ClassifierConfig,
// nn::NoisyImageClassifierConfig) for examples (C, H, W) of `classes`
// classes, with --channels and --features where given.
template <typename Config>
Config image_classifier_config(const tensor::Shape& example, int64_t classes, const TrainClassifierOptions& o) {
  Config config;
  config.in_channels = example[0];
  config.height = example[1];
  config.width = example[2];
  if (o.channels > 0) config.channels = o.channels;
  if (o.features > 0) config.features = o.features;
  config.classes = classes;
  return config;
}

// How many rows of logits (N, K) have their largest entry at the label (N,).
int64_t count_correct(const tensor::Tensor& logits, const tensor::Tensor& labels);

// The last 100 steps' losses, summed, for the final report.
struct TailLoss {
  double sum = 0.0;
  int64_t count = 0;
};

// One AdamW step of either classifier on `loss` (step counts from 1): throws
// for a non-finite loss, adds to `tail` in the last 100 steps, shows progress.
void classifier_step(const autograd::Variable& loss, nn::AdamW& optimizer, int64_t step,
                     const TrainClassifierOptions& options, Progress& progress, TailLoss& tail);

}  // namespace apps
