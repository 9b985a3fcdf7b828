// The classifier of the image sample-quality metric (docs/math.md (11.3)) as the
// commands use it: its file (written by `diffuse train-classifier`, read by
// `diffuse score`) and the features of a set of images. The network is
// nn/models/classifier.h; the distance is diffusion/metrics.h.
#pragma once
#include <memory>
#include <string>

#include "nn/models/classifier.h"
#include "nn/safetensors.h"

namespace apps {

// Note [Classifier file]: a safetensors file of the network's weights under
// their own names ("trunk.0.weight", "fc.bias", ...); its __metadata__ holds
// "model" = "Classifier", "config" = ClassifierConfig JSON, and how it was
// trained ("data", "steps", "test_accuracy", ...), so a score can say which
// classifier made it.
inline constexpr const char* kClassifierModel = "Classifier";

// Writes atomically (nn::save_safetensors renames a finished temporary file).
// `metadata` gets "model" and "config" added.
void save_classifier(const std::string& path, const nn::Classifier& classifier, nn::Metadata metadata);

struct LoadedClassifier {
  std::shared_ptr<nn::Classifier> network;  // in evaluation mode
  nn::Metadata metadata;
};
// Throws apps::Error naming the file when it is missing or not a classifier file.
LoadedClassifier load_classifier(const std::string& path);

// The one scaling every image goes through before the classifier, samples
// and reference alike: clipped to [-1, 1] and rounded to the 256 levels of
// an 8-bit pixel, as if written to PNG and read back. Data read from IDX or
// PNG files is already there; a sampler's .npy output gets there.
tensor::Tensor to_pixel_levels(const tensor::Tensor& images);

// The classifier's features (N, F) of images (N, C, H, W), after
// to_pixel_levels, in batches of `batch` without a graph. `source` names the
// images in the error when their shape does not fit the classifier.
tensor::Tensor image_features(nn::Classifier& classifier, const tensor::Tensor& images, const std::string& source,
                              int64_t batch = 500);

}  // namespace apps
