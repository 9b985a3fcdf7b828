// --class, --guidance, --classifier checked and applied (see guided_model.h).
#include "apps/commands/guided_model.h"

#include "apps/commands/noisy_classifier.h"
#include "apps/error.h"
#include "autograd/ops.h"

namespace apps {

void apply_guidance(LoadedModel& model, const GuidanceFlags& flags) {
  const bool guided = flags.class_index >= 0;
  APPS_CHECK(guided || (!flags.weight_given && flags.classifier.empty()),
             "--guidance and --classifier guide towards a class: give --class K too");
  if (!guided) return;
  model.guided_class = flags.class_index;
  model.guidance = flags.weight;
  const std::string source = model.gmm ? model.config.data : "the checkpoint's model";
  if (flags.classifier == "oracle") {
    APPS_CHECK(model.gmm, "--classifier oracle is the exact classifier of --oracle gmm:FILE; give a classifier FILE");
    APPS_CHECK(flags.class_index < model.gmm->K(), "--class {}: {} has components 0..{}", flags.class_index, source,
               model.gmm->K() - 1);
    const diffusion::GaussianMixture gmm = *model.gmm;
    model.classifier = [gmm](const diffusion::KernelFn& kernel) { return diffusion::gmm_class_log_prob(gmm, kernel); };
    return;
  }
  if (!flags.classifier.empty()) {
    const LoadedNoisyClassifier loaded = load_noisy_classifier(flags.classifier);
    APPS_CHECK(model.config.data_shape == loaded.example_shape,
               "--classifier {} classifies examples {}; the model draws {}", flags.classifier,
               tensor::shape_str(loaded.example_shape), tensor::shape_str(model.config.data_shape));
    APPS_CHECK(loaded.schedule == model.config.schedule && loaded.T == model.config.T,
               "--classifier {} learned x_t of the {} schedule (T = {}); the model's is {} (T = {})", flags.classifier,
               loaded.schedule, loaded.T, model.config.schedule, model.config.T);
    APPS_CHECK(flags.class_index < loaded.classes, "--class {}: --classifier {} knows classes 0..{}", flags.class_index,
               flags.classifier, loaded.classes - 1);
    APPS_CHECK(model.device == tensor::Device::CPU, "--classifier runs on the cpu; drop --device");
    const auto logits = loaded.logits;  // holds the network
    model.classifier = [logits](const diffusion::KernelFn&) -> diffusion::ClassLogProb {
      // The classifier reads the same labels as the denoiser (t - 1, or 999 t on the SDE: docs/math.md 4.4).
      return [logits](const autograd::Variable& x, const tensor::Tensor& label) {
        return autograd::log_softmax(logits(x, label), 1);
      };
    };
    return;
  }
  if (model.gmm) {
    APPS_CHECK(flags.class_index < model.gmm->K(), "--class {}: {} has components 0..{} (class k is component k)",
               flags.class_index, source, model.gmm->K() - 1);
    return;
  }
  const int64_t classes = model.network->num_classes();
  APPS_CHECK(classes > 0,
             "--class {}: the checkpoint's model has no classes (train it with --conditional), and no --classifier "
             "was given",
             flags.class_index);
  APPS_CHECK(flags.class_index < classes, "--class {}: the model has classes 0..{}", flags.class_index, classes - 1);
}

std::string guidance_caption(const GuidanceFlags& flags) {
  if (flags.class_index < 0) return "";
  return fmt::format(", class {}, {}guidance {}", flags.class_index, flags.classifier.empty() ? "" : "classifier ",
                     flags.weight);
}

}  // namespace apps
