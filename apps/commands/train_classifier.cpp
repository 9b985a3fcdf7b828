// `diffuse train-classifier` (see train_classifier.h): batches of labeled
// images, the cross-entropy loss, AdamW; then the test-set accuracy and the
// file. Shapes: N images, C, H, W; K classes.
#include "apps/commands/train_classifier.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "apps/commands/image_classifier.h"
#include "apps/commands/noisy_classifier.h"
#include "apps/data/dataset.h"
#include "apps/data/labeled_images.h"
#include "apps/device.h"
#include "apps/error.h"
#include "apps/progress.h"
#include "autograd/ops.h"
#include "nn/cross_entropy.h"
#include "nn/optim/adam.h"
#include "tensor/ops.h"

namespace apps {
namespace {

using tensor::Tensor;

// The fraction of `set` the classifier labels right, in batches without a graph.
double accuracy(nn::Classifier& classifier, const LabeledImages& set) {
  autograd::NoGradGuard no_grad;
  classifier.eval();
  const int64_t n = set.images.size(0), batch = 1000;
  int64_t correct = 0;
  for (int64_t start = 0; start < n; start += batch) {
    const int64_t rows = std::min(batch, n - start);
    const Tensor images = set.images.narrow(0, start, rows).to(classifier.parameters().front().device());
    const Tensor logits = classifier.forward(autograd::Variable(images)).data().to(tensor::Device::CPU);
    correct += count_correct(logits, set.labels.narrow(0, start, rows));
  }
  classifier.train();
  return static_cast<double>(correct) / static_cast<double>(n);
}

int64_t largest_label(const Tensor& labels) {
  const std::vector<int64_t> y = labels.to_vector<int64_t>();
  return *std::max_element(y.begin(), y.end());
}

}  // namespace

std::string test_data_spec(const TrainClassifierOptions& o) {
  if (!o.test_data.empty()) return o.test_data;
  const std::string train = "fashion-mnist";
  APPS_CHECK(o.data == train || o.data.rfind(train + ":", 0) == 0,
             "--data {}: give --test-data too (only fashion-mnist knows its test set)", o.data);
  return "fashion-mnist-test" + o.data.substr(train.size());
}

int64_t count_correct(const Tensor& logits, const Tensor& labels) {
  const int64_t K = logits.size(1);
  const std::vector<float> z = logits.to(tensor::DType::Float32).contiguous().to_vector<float>();
  const std::vector<int64_t> y = labels.to_vector<int64_t>();
  int64_t correct = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    const float* row = z.data() + i * K;
    correct += (std::max_element(row, row + K) - row) == y[i];
  }
  return correct;
}

void classifier_step(const autograd::Variable& loss, nn::AdamW& optimizer, int64_t step,
                     const TrainClassifierOptions& o, Progress& progress, TailLoss& tail) {
  const double value = loss.item();
  if (!std::isfinite(value)) {
    progress.finish();
    throw Error(fmt::format("loss is {} at step {}; try a smaller --lr than {}", value, step, o.lr));
  }
  optimizer.zero_grad();
  loss.backward();
  optimizer.step();
  if (step > o.steps - 100) {
    tail.sum += value;
    ++tail.count;
  }
  progress.update(step, value);
}

void run_train_classifier(const TrainClassifierOptions& o, std::ostream& out) {
  if (o.noisy) return run_train_noisy_classifier(o, out);
  const tensor::Device device = parse_device(o.device);
  APPS_CHECK(o.out.size() > 12 && o.out.substr(o.out.size() - 12) == ".safetensors",
             "--out {}: the classifier is written as one FILE.safetensors", o.out);
  const std::string test_spec = test_data_spec(o);
  const LabeledImages train = load_labeled_images(o.data);
  const LabeledImages test = load_labeled_images(test_spec);
  const tensor::Shape example(train.images.shape().begin() + 1, train.images.shape().end());
  const tensor::Shape test_example(test.images.shape().begin() + 1, test.images.shape().end());
  APPS_CHECK(example == test_example, "--test-data {} has images {}, --data {} has {}", test_spec,
             tensor::shape_str(test_example), o.data, tensor::shape_str(example));
  const int64_t classes = std::max<int64_t>(2, largest_label(train.labels) + 1);
  APPS_CHECK(largest_label(test.labels) < classes, "--test-data {} has label {}, but --data {} has only {} classes",
             test_spec, largest_label(test.labels), o.data, classes);

  const auto config = image_classifier_config<nn::ClassifierConfig>(example, classes, o);
  tensor::Generator init_gen(o.seed);
  nn::Classifier classifier(config, init_gen);
  classifier.to(device);  // before the optimizer is built (Note [Moving a model] in nn/module.h)
  nn::AdamWOptions adam;  // PyTorch's AdamW defaults (weight decay 0.01) but the learning rate
  adam.lr = o.lr;
  nn::AdamW optimizer(classifier.named_parameters(), adam);
  // The Batcher draws rows of an index column, so images and labels stay paired.
  Batcher batcher(tensor::arange(0, static_cast<double>(train.images.size(0)), 1, tensor::DType::Int64), o.batch,
                  o.seed);

  out << fmt::format("training the classifier ({} parameters, {} classes) on {} {} for {} steps of {}\n",
                     classifier.parameter_count(), classes, o.data, tensor::shape_str(train.images.shape()), o.steps,
                     o.batch);
  const auto start = std::chrono::steady_clock::now();
  Progress progress(o.steps);
  TailLoss tail;
  for (int64_t step = 1; step <= o.steps; ++step) {
    const Tensor rows = batcher.next();
    const Tensor x = tensor::index_select(train.images, 0, rows).to(device);
    const Tensor y = tensor::index_select(train.labels, 0, rows).to(device);
    const autograd::Variable loss = nn::cross_entropy(classifier.forward(autograd::Variable(x)), y);
    classifier_step(loss, optimizer, step, o, progress, tail);
  }
  progress.finish();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const double test_accuracy = accuracy(classifier, test);
  save_classifier(o.out, classifier,
                  {{"data", o.data},
                   {"test_data", test_spec},
                   {"steps", std::to_string(o.steps)},
                   {"batch", std::to_string(o.batch)},
                   {"lr", fmt::format("{}", o.lr)},
                   {"seed", std::to_string(o.seed)},
                   {"test_accuracy", fmt::format("{:.4f}", test_accuracy)}});
  out << fmt::format(
      "test accuracy {:.2f}% on {} ({} images); final loss {:.4f} (mean of the last {} steps); "
      "trained in {}; wrote {}\n",
      100 * test_accuracy, test_spec, test.images.size(0), tail.sum / tail.count, tail.count, format_duration(seconds),
      o.out);
}

}  // namespace apps
