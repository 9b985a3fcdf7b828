// The metric's classifier on disk and in use (see image_classifier.h).
#include "apps/commands/image_classifier.h"

#include <filesystem>

#include "apps/error.h"
#include "autograd/grad_mode.h"
#include "tensor/ops.h"

namespace apps {

void save_classifier(const std::string& path, const nn::Classifier& classifier, nn::Metadata metadata) {
  metadata["model"] = kClassifierModel;
  metadata["config"] = classifier.config().to_json();
  nn::save_safetensors(path, classifier.state_dict(), metadata);
}

LoadedClassifier load_classifier(const std::string& path) {
  APPS_CHECK(std::filesystem::is_regular_file(path), "--classifier {}: no such file (make one with diffuse "
             "train-classifier)", path);
  nn::SafetensorsContents contents;
  try {
    contents = nn::load_safetensors(path);
  } catch (const tensor::Error& e) {
    throw Error(fmt::format("--classifier {}: not a safetensors file ({})", path, e.what()));
  }
  const auto model = contents.metadata.find("model");
  const auto config = contents.metadata.find("config");
  APPS_CHECK(model != contents.metadata.end() && model->second == kClassifierModel &&
                 config != contents.metadata.end(),
             "--classifier {}: not a classifier file (its metadata has no model = {} and config; make one with "
             "diffuse train-classifier)", path, kClassifierModel);
  tensor::Generator unused(0);  // the weights are overwritten by the file's
  auto network = std::make_shared<nn::Classifier>(nn::ClassifierConfig::from_json(config->second), unused);
  try {
    network->load_state_dict(contents.tensors);
  } catch (const tensor::Error& e) {
    throw Error(fmt::format("--classifier {}: {}", path, e.what()));
  }
  network->eval();
  return {network, contents.metadata};
}

tensor::Tensor to_pixel_levels(const tensor::Tensor& images) {
  // [-1, 1] -> 0..255, rounded (floor(v + 0.5) is lround for v >= 0, as the PNG writer does), and back.
  const tensor::Tensor levels = tensor::floor((tensor::clamp(images, -1.0, 1.0) + 1.0) * 127.5 + 0.5);
  return levels / 127.5 - 1.0;
}

tensor::Tensor image_features(nn::Classifier& classifier, const tensor::Tensor& images, const std::string& source,
                              int64_t batch) {
  const nn::ClassifierConfig& c = classifier.config();
  const tensor::Shape example = {c.in_channels, c.height, c.width};
  APPS_CHECK(images.dim() == 4 && tensor::Shape(images.shape().begin() + 1, images.shape().end()) == example,
             "{}: images {} do not fit the classifier, which takes (N, {}, {}, {})", source,
             tensor::shape_str(images.shape()), c.in_channels, c.height, c.width);
  autograd::NoGradGuard no_grad;
  const tensor::Tensor x = to_pixel_levels(images.to(tensor::DType::Float32));
  std::vector<tensor::Tensor> parts;
  for (int64_t start = 0; start < x.size(0); start += batch) {
    const int64_t rows = std::min(batch, x.size(0) - start);
    parts.push_back(classifier.features(autograd::Variable(x.narrow(0, start, rows))).data());
  }
  return tensor::cat(parts, 0);
}

}  // namespace apps
