// The noise-aware classifier's training and file (see noisy_classifier.h).
// Shapes: N points, d dimensions, K classes.
#include "apps/commands/noisy_classifier.h"

#include <algorithm>
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
  const Tensor a = diffusion::per_sample(tensor::index_select(tables.a, 0, steps), 2, x0.dtype());
  const Tensor b = diffusion::per_sample(tensor::index_select(tables.b, 0, steps), 2, x0.dtype());
  const Tensor x_t = a * x0 + b * tensor::randn_like(x0, gen);
  return {x_t, tensor::add(steps.to(tensor::DType::Float32), -1.0)};
}

// The share of points whose largest logit is their label, all noised to step t.
double accuracy_at(nn::NoisyClassifier& classifier, const diffusion::Schedule& schedule, const Tensor& x0,
                   const Tensor& labels, int64_t t, uint64_t seed) {
  autograd::NoGradGuard no_grad;
  tensor::Generator gen(seed);
  const auto [x_t, label] =
      noised(schedule, x0, tensor::full({x0.size(0)}, static_cast<double>(t), tensor::DType::Int64), gen);
  const std::vector<float> logits = classifier.forward(Variable(x_t), label).data().contiguous().to_vector<float>();
  const std::vector<int64_t> y = labels.to_vector<int64_t>();
  const int64_t K = classifier.config().classes;
  int64_t correct = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    const float* row = logits.data() + i * K;
    correct += (std::max_element(row, row + K) - row) == y[i];
  }
  return static_cast<double>(correct) / static_cast<double>(y.size());
}

}  // namespace

void run_train_noisy_classifier(const TrainClassifierOptions& o, std::ostream& out) {
  APPS_CHECK(o.device == "cpu", "train-classifier --noisy runs on the cpu (the classifier is a small MLP)");
  APPS_CHECK(o.out.size() > 12 && o.out.substr(o.out.size() - 12) == ".safetensors",
             "--out {}: the classifier is written as one FILE.safetensors", o.out);
  Tensor labels, test_labels;
  const Tensor data = load_data(o.data, o.seed, 50000, &labels);
  APPS_CHECK(data.dim() == 2,
             "train-classifier --noisy is for labeled 2-D points (moons, 8gaussians, gmm:FILE); "
             "--data {} holds {}",
             o.data, tensor::shape_str(data.shape()));
  const int64_t classes = class_count(o.data, labels);
  // A fresh draw of the same set for the accuracy (the generated sets have no test split).
  const Tensor test = load_data(o.data, o.seed + 1, 10000, &test_labels);
  const diffusion::Schedule schedule = diffusion::make_schedule(o.schedule, 1000);

  nn::NoisyClassifierConfig config;
  config.data_dim = data.size(1);
  config.width = o.features;
  config.classes = classes;
  tensor::Generator init_gen = diffusion::generator_for(o.seed, diffusion::RandomUse::InitialWeights);
  nn::NoisyClassifier classifier(config, init_gen);
  nn::AdamWOptions adam;
  adam.lr = o.lr;
  nn::AdamW optimizer(classifier.named_parameters(), adam);
  Batcher batcher(tensor::arange(0, static_cast<double>(data.size(0)), 1, tensor::DType::Int64), o.batch, o.seed);
  tensor::Generator noise_gen = diffusion::generator_for(o.seed, diffusion::RandomUse::TrainingNoise);

  out << fmt::format("training the noise-aware classifier ({} parameters, {} classes) on {} {} for {} steps of {}\n",
                     classifier.parameter_count(), classes, o.data, tensor::shape_str(data.shape()), o.steps, o.batch);
  Progress progress(o.steps);
  TailLoss tail;
  for (int64_t step = 1; step <= o.steps; ++step) {
    const Tensor rows = batcher.next();
    const Tensor x0 = tensor::index_select(data, 0, rows);
    const Tensor steps = tensor::randint(1, schedule.T + 1, {x0.size(0)}, noise_gen);  // t ~ Uniform{1..T}
    const auto [x_t, label] = noised(schedule, x0, steps, noise_gen);
    const Variable loss =
        nn::cross_entropy(classifier.forward(Variable(x_t), label), tensor::index_select(labels, 0, rows));
    classifier_step(loss, optimizer, step, o, progress, tail);
  }
  progress.finish();
  classifier.eval();

  nn::Metadata metadata = {{"model", kNoisyClassifierModel},
                           {"config", config.to_json()},
                           {"schedule", o.schedule},
                           {"T", std::to_string(schedule.T)},
                           {"data", o.data},
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
  nn::save_safetensors(o.out, classifier.state_dict(), metadata);
  out << fmt::format("accuracy on {} fresh points: {}; final loss {:.4f} (mean of the last {} steps); wrote {}\n",
                     test.size(0), report, tail.sum / tail.count, tail.count, o.out);
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
  APPS_CHECK(m.count("model") != 0 && m.at("model") == kNoisyClassifierModel && m.count("config") != 0 &&
                 m.count("schedule") != 0 && m.count("T") != 0,
             "--classifier {}: not a noise-aware classifier (its metadata has no model = {}; make one with diffuse "
             "train-classifier --noisy)",
             path, kNoisyClassifierModel);
  LoadedNoisyClassifier loaded;
  tensor::Generator unused(0);  // the weights are overwritten by the file's
  loaded.network = std::make_shared<nn::NoisyClassifier>(nn::NoisyClassifierConfig::from_json(m.at("config")), unused);
  try {
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
