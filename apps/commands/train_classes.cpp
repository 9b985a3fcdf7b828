// Labels of a class-conditional run (see train_classes.h).
#include "apps/commands/train_classes.h"

#include <algorithm>
#include <vector>

#include "apps/error.h"
#include "diffusion/random_streams.h"
#include "diffusion/training.h"

namespace apps {

int64_t class_count(const std::string& data_spec, const tensor::Tensor& labels) {
  APPS_CHECK(labels.defined() && labels.numel() > 0,
             "--conditional: --data {} has no class labels (labeled: moons, 8gaussians, gmm:FILE, fashion-mnist, "
             "idx:FILE with its labels file)",
             data_spec);
  const std::vector<int64_t> y = labels.to_vector<int64_t>();
  const auto [lo, hi] = std::minmax_element(y.begin(), y.end());
  APPS_CHECK(*lo >= 0, "--data {}: a label is {}; classes are counted from 0", data_spec, *lo);
  return std::max<int64_t>(2, *hi + 1);
}

tensor::Tensor training_classes(const tensor::Tensor& batch_labels, int64_t classes, double cond_drop, uint64_t seed,
                                int64_t step) {
  tensor::Generator gen(seed);
  gen.set_stream(diffusion::first_stream(diffusion::RandomUse::ClassDrop) + static_cast<uint64_t>(step));
  return diffusion::drop_classes(batch_labels, classes, cond_drop, gen);
}

}  // namespace apps
