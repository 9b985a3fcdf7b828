// The noise-aware classifiers' training and file (see noisy_classifier.h).
// Shapes: N examples, then each example's own dims (d, or C, H, W); K classes.
#include "apps/commands/noisy_classifier.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>

#include "apps/commands/train_classes.h"
#include "apps/data/dataset.h"
#include "apps/error.h"
#include "apps/progress.h"
#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "diffusion/prediction.h"
#include "diffusion/random_streams.h"
#include "diffusion/schedule.h"
#include "nn/cross_entropy.h"
#include "nn/models/noisy_classifier.h"
#include "nn/models/noisy_image_classifier.h"
#include "nn/optim/adam.h"
#include "nn/strict_number.h"
#include "tensor/ops.h"

namespace apps {
namespace {

using autograd::Variable;
using tensor::Tensor;

// x_t = a_t x_0 + b_t eps at the given steps t (docs/math.md (1.2)); returns x_t and the labels t - 1.
std::pair<Tensor, Tensor> noised(const diffusion::Schedule& schedule, const Tensor& x0, const Tensor& steps,
                                 tensor::Generator& gen) {
  const diffusion::ScheduleTables tables = diffusion::schedule_tables(schedule, x0.device());
  const Tensor a = diffusion::per_sample(tensor::index_select(tables.a, 0, steps), x0.dim(), x0.dtype());
  const Tensor b = diffusion::per_sample(tensor::index_select(tables.b, 0, steps), x0.dim(), x0.dtype());
  const Tensor x_t = a * x0 + b * tensor::randn_like(x0, gen);
  return {x_t, tensor::add(steps.to(tensor::DType::Float32), -1.0)};
}

// The share of examples whose largest logit is their label, all noised to
// step t; in batches of 1000 without a graph (an image batch's activations
// are the memory).
double accuracy_at(const LoadedNoisyClassifier& classifier, const diffusion::Schedule& schedule, const Tensor& x0,
                   const Tensor& labels, int64_t t, uint64_t seed) {
  autograd::NoGradGuard no_grad;
  tensor::Generator gen(seed);
  const int64_t n = x0.size(0), batch = 1000;
  int64_t correct = 0;
  for (int64_t start = 0; start < n; start += batch) {
    const int64_t rows = std::min(batch, n - start);
    const auto [x_t, label] = noised(schedule, x0.narrow(0, start, rows),
                                     tensor::full({rows}, static_cast<double>(t), tensor::DType::Int64), gen);
    correct += count_correct(classifier.logits(Variable(x_t), label).data(), labels.narrow(0, start, rows));
  }
  return static_cast<double>(correct) / static_cast<double>(n);
}

// The network `model` (kNoisyClassifierModel or kNoisyImageClassifierModel)
// of config JSON `config`, its weights drawn from gen (then replaced, when read from a file).
LoadedNoisyClassifier make_network(const std::string& model, const std::string& config, tensor::Generator& gen) {
  LoadedNoisyClassifier made;
  if (model == kNoisyClassifierModel) {
    auto network = std::make_shared<nn::NoisyClassifier>(nn::NoisyClassifierConfig::from_json(config), gen);
    made.example_shape = {network->config().data_dim};
    made.classes = network->config().classes;
    made.logits = [network](const Variable& x, const Tensor& label) { return network->forward(x, label); };
    made.network = network;
  } else {
    auto network = std::make_shared<nn::NoisyImageClassifier>(nn::NoisyImageClassifierConfig::from_json(config), gen);
    const nn::NoisyImageClassifierConfig& c = network->config();
    made.example_shape = {c.in_channels, c.height, c.width};
    made.classes = c.classes;
    made.logits = [network](const Variable& x, const Tensor& label) { return network->forward(x, label); };
    made.network = network;
  }
  return made;
}

// The model name and config JSON for examples of this shape: the MLP for
// points (--features is its width), the CNN for images (--channels, --features).
std::pair<std::string, std::string> network_for(const tensor::Shape& example, int64_t classes,
                                                const TrainClassifierOptions& o) {
  if (example.size() == 1) {
    nn::NoisyClassifierConfig config;
    config.data_dim = example[0];
    config.width = o.features > 0 ? o.features : 128;
    config.classes = classes;
    return {kNoisyClassifierModel, config.to_json()};
  }
  const auto config = image_classifier_config<nn::NoisyImageClassifierConfig>(example, classes, o);
  return {kNoisyImageClassifierModel, config.to_json()};
}

}  // namespace

void run_train_noisy_classifier(const TrainClassifierOptions& o, std::ostream& out) {
  APPS_CHECK(o.device == "cpu", "train-classifier --noisy runs on the cpu (the classifier is small)");
  APPS_CHECK(o.out.size() > 12 && o.out.substr(o.out.size() - 12) == ".safetensors",
             "--out {}: the classifier is written as one FILE.safetensors", o.out);
  Tensor labels, test_labels;
  const Tensor data = load_data(o.data, o.seed, 50000, &labels);
  APPS_CHECK(data.dim() == 2 || data.dim() == 4,
             "train-classifier --noisy is for labeled 2-D points (moons, 8gaussians, gmm:FILE) or labeled images "
             "(fashion-mnist); --data {} holds {}",
             o.data, tensor::shape_str(data.shape()));
  const int64_t classes = class_count(o.data, labels);
  const tensor::Shape example(data.shape().begin() + 1, data.shape().end());
  // Points: a fresh draw of the same set (the generated sets have no test split). Images: the test set.
  const std::string test_spec = data.dim() == 2 ? o.data : test_data_spec(o);
  const Tensor test = load_data(test_spec, o.seed + 1, 10000, &test_labels);
  APPS_CHECK(test_labels.defined() && tensor::Shape(test.shape().begin() + 1, test.shape().end()) == example,
             "--test-data {} should hold labeled examples {} like --data {}; it holds {}", test_spec,
             tensor::shape_str(example), o.data, tensor::shape_str(test.shape()));
  const diffusion::Schedule schedule = diffusion::make_schedule(o.schedule, 1000);

  const auto [model, config] = network_for(example, classes, o);
  tensor::Generator init_gen = diffusion::generator_for(o.seed, diffusion::RandomUse::InitialWeights);
  const LoadedNoisyClassifier classifier = make_network(model, config, init_gen);
  nn::AdamWOptions adam;
  adam.lr = o.lr;
  nn::AdamW optimizer(classifier.network->named_parameters(), adam);
  Batcher batcher(tensor::arange(0, static_cast<double>(data.size(0)), 1, tensor::DType::Int64), o.batch, o.seed);
  tensor::Generator noise_gen = diffusion::generator_for(o.seed, diffusion::RandomUse::TrainingNoise);

  out << fmt::format("training the noise-aware classifier ({} parameters, {} classes) on {} {} for {} steps of {}\n",
                     classifier.network->parameter_count(), classes, o.data, tensor::shape_str(data.shape()), o.steps,
                     o.batch);
  const auto started = std::chrono::steady_clock::now();
  Progress progress(o.steps);
  TailLoss tail;
  for (int64_t step = 1; step <= o.steps; ++step) {
    const Tensor rows = batcher.next();
    const Tensor x0 = tensor::index_select(data, 0, rows);
    const Tensor steps = tensor::randint(1, schedule.T + 1, {x0.size(0)}, noise_gen);  // t ~ Uniform{1..T}
    const auto [x_t, label] = noised(schedule, x0, steps, noise_gen);
    const Variable loss =
        nn::cross_entropy(classifier.logits(Variable(x_t), label), tensor::index_select(labels, 0, rows));
    classifier_step(loss, optimizer, step, o, progress, tail);
  }
  progress.finish();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  classifier.network->eval();

  nn::Metadata metadata = {{"model", model},
                           {"config", config},
                           {"schedule", o.schedule},
                           {"T", std::to_string(schedule.T)},
                           {"data", o.data},
                           {"test_data", test_spec},
                           {"steps", std::to_string(o.steps)},
                           {"batch", std::to_string(o.batch)},
                           {"lr", fmt::format("{}", o.lr)},
                           {"seed", std::to_string(o.seed)}};
  std::string report;
  for (const int64_t t : {1, 100, 300, 600}) {
    const double accuracy = accuracy_at(classifier, schedule, test, test_labels, t, o.seed + 2);
    metadata[fmt::format("accuracy_t{}", t)] = fmt::format("{:.4f}", accuracy);
    report += fmt::format("{}{:.1f}% at t = {}", report.empty() ? "" : ", ", 100 * accuracy, t);
  }
  nn::save_safetensors(o.out, classifier.network->state_dict(), metadata);
  out << fmt::format(
      "accuracy on {} {} of {}: {}; final loss {:.4f} (mean of the last {} steps); trained in {}; wrote {}\n",
      test.size(0), data.dim() == 2 ? "fresh points" : "test images", test_spec, report, tail.sum / tail.count,
      tail.count, format_duration(seconds), o.out);
}

LoadedNoisyClassifier load_noisy_classifier(const std::string& path) {
  APPS_CHECK(std::filesystem::is_regular_file(path),
             "--classifier {}: no such file (make one with diffuse train-classifier --noisy)", path);
  nn::SafetensorsContents contents;
  try {
    contents = nn::load_safetensors(path);
  } catch (const tensor::Error& e) {
    throw Error(fmt::format("--classifier {}: not a safetensors file ({})", path, e.what()));
  }
  const nn::Metadata& m = contents.metadata;
  const bool known =
      m.count("model") != 0 && (m.at("model") == kNoisyClassifierModel || m.at("model") == kNoisyImageClassifierModel);
  APPS_CHECK(known && m.count("config") != 0 && m.count("schedule") != 0 && m.count("T") != 0,
             "--classifier {}: not a noise-aware classifier (its metadata has no model = {} or {}; make one with "
             "diffuse train-classifier --noisy)",
             path, kNoisyClassifierModel, kNoisyImageClassifierModel);
  tensor::Generator unused(0);  // the weights are overwritten by the file's
  LoadedNoisyClassifier loaded;
  try {
    loaded = make_network(m.at("model"), m.at("config"), unused);
    loaded.network->load_state_dict(contents.tensors);
  } catch (const tensor::Error& e) {
    throw Error(fmt::format("--classifier {}: {}", path, e.what()));
  }
  loaded.network->eval();
  loaded.schedule = m.at("schedule");
  loaded.T = nn::parse_int64(m.at("T"), "--classifier " + path + ": metadata 'T'", 1);
  return loaded;
}

}  // namespace apps
