// Images with their class labels, for training the classifier of the image
// sample-quality metric (docs/math.md (11.3); `diffuse train-classifier`). The
// diffusion models themselves are unconditional and read images only
// (dataset.h).
#pragma once
#include <string>

#include "tensor/tensor.h"

namespace apps {

inline constexpr const char* kLabeledDataHelp =
    "fashion-mnist[:DIR] | fashion-mnist-test[:DIR] | idx:IMAGES[.gz] (labels: the file named with "
    "labels-idx1 for images-idx3, MNIST's naming)";

// Shapes: N examples, C, H, W.
struct LabeledImages {
  tensor::Tensor images;  // (N, C, H, W) float32 in [-1, 1]
  tensor::Tensor labels;  // (N) Int64
};

// The labeled set named by spec (see kLabeledDataHelp). Errors name the
// files: missing, unreadable, or images and labels of different counts.
LabeledImages load_labeled_images(const std::string& spec);

}  // namespace apps
