// `diffuse score` (see score.h): n images from each set, both through the
// same scaling and the same classifier (image_classifier.h), then the
// Frechet distance of their feature statistics (diffusion/metrics.h).
#include "apps/commands/score.h"

#include <nlohmann/json.hpp>

#include "apps/commands/image_classifier.h"
#include "apps/commands/pixel_features.h"
#include "apps/commands/train_classifier.h"
#include "apps/data/dataset.h"
#include "apps/device.h"
#include "apps/error.h"
#include "apps/io/npy.h"
#include "autograd/grad_mode.h"
#include "diffusion/metrics.h"
#include "tensor/ops.h"
#include "tensor/random.h"

namespace apps {
namespace {

using tensor::Tensor;

// A bare FILE.npy (what `diffuse sample --out` writes) or any data spec.
Tensor load_images(const std::string& spec, uint64_t seed) {
  const bool bare_npy = spec.size() > 4 && spec.substr(spec.size() - 4) == ".npy" && spec.rfind("npy:", 0) != 0;
  return bare_npy ? read_npy(spec) : load_data(spec, seed);
}

// n of the set's images: all of them when it holds n, else n drawn without
// replacement by Generator(seed) at `stream` (each set has its own stream).
Tensor take(const Tensor& images, int64_t n, uint64_t seed, uint64_t stream, const std::string& flag,
            const std::string& spec) {
  APPS_CHECK(images.dim() >= 1 && images.size(0) >= n,
             "{} {}: holds {} images, fewer than --n {} (the distance is biased by n, so both sets use the same n; "
             "lower --n or give more images)",
             flag, spec, images.dim() >= 1 ? images.size(0) : 0, n);
  if (images.size(0) == n) return images;
  tensor::Generator gen(seed);
  gen.set_stream(stream);
  return tensor::index_select(images, 0, tensor::randperm(images.size(0), gen).narrow(0, 0, n).contiguous());
}

// The share of images whose features (n, F) the classifier's head labels as class k.
double class_share(nn::Classifier& classifier, const Tensor& features, int64_t k) {
  autograd::NoGradGuard no_grad;
  const Tensor logits = classifier.head->forward(autograd::Variable(features)).data().to(tensor::Device::CPU);
  const Tensor labels = tensor::full({features.size(0)}, static_cast<double>(k), tensor::DType::Int64);
  return static_cast<double>(count_correct(logits, labels)) / static_cast<double>(features.size(0));
}

}  // namespace

void run_score(const ScoreOptions& o, std::ostream& out) {
  const tensor::Device device = parse_device(o.device);
  const bool pixels = o.features == "pixels";
  APPS_CHECK(pixels || !o.classifier.empty(),
             "score: give --classifier FILE (from diffuse train-classifier), or --features pixels");
  APPS_CHECK(!pixels || o.classifier.empty(), "--features pixels uses no classifier; drop --classifier {}",
             o.classifier);
  APPS_CHECK(o.class_index < 0 || !pixels, "--class {} counts the classifier's labels; drop --features pixels",
             o.class_index);
  LoadedClassifier classifier;
  if (!pixels) {
    classifier = load_classifier(o.classifier);
    classifier.network->to(device);
    const int64_t classes = classifier.network->config().classes;
    APPS_CHECK(o.class_index < classes, "--class {}: the classifier {} knows classes 0..{}", o.class_index,
               o.classifier, classes - 1);
  }
  const Tensor samples = take(load_images(o.samples, o.seed), o.n, o.seed, 0, "--samples", o.samples).to(device);
  const Tensor ref = take(load_images(o.ref, o.seed), o.n, o.seed, 1, "--ref", o.ref).to(device);
  APPS_CHECK(pixels || samples.dim() != 4 || samples.size(1) == classifier.network->config().in_channels,
             "--samples {}: {}-channel images and a {}-channel classifier; for RGB sets use --features pixels "
             "(the classifier is trained on gray sets)",
             o.samples, samples.size(1), classifier.network->config().in_channels);
  // Features (n, F) of both sets, through the same scaling (to_pixel_levels).
  auto features = [&](const Tensor& images, const std::string& source) {
    return pixels ? pixel_block_features(images, source) : image_features(*classifier.network, images, source);
  };
  const Tensor sample_features = features(samples, "--samples " + o.samples);
  const Tensor ref_features = features(ref, "--ref " + o.ref);
  const std::string feature_space =
      pixels ? fmt::format("{} pixel-block features (4 x 4 block means per channel)", sample_features.size(1))
             : fmt::format("{} features of the classifier {}", sample_features.size(1), o.classifier);
  const double fd = diffusion::frechet_distance(diffusion::feature_statistics(sample_features),
                                                diffusion::feature_statistics(ref_features));

  out << fmt::format("FD {:.4f} (docs/math.md 11.3) between {} images of {} and {} images of {}, in the {}\n", fd,
                     samples.size(0), o.samples, ref.size(0), o.ref, feature_space);
  const double share = o.class_index >= 0 ? class_share(*classifier.network, sample_features, o.class_index) : 0.0;
  if (o.class_index >= 0) {
    out << fmt::format("class {}: {:.1f}% of the {} images of {} are labelled {} by the classifier {}\n", o.class_index,
                       100 * share, samples.size(0), o.samples, o.class_index, o.classifier);
  }
  if (o.json) {
    nlohmann::json j = {{"fd", fd},
                        {"n_samples", samples.size(0)},
                        {"n_ref", ref.size(0)},
                        {"classifier", pixels ? "pixels" : o.classifier},
                        {"samples", o.samples},
                        {"ref", o.ref},
                        {"features", sample_features.size(1)}};
    if (o.class_index >= 0) {
      j["class"] = o.class_index;
      j["class_share"] = share;
    }
    out << j.dump() << "\n";  // the last line, for scripts
  }
}

}  // namespace apps
