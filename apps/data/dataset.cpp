// --data parsing and the seeded Batcher (see dataset.h).
#include "apps/data/dataset.h"

#include "apps/data/idx.h"
#include "apps/data/image_sets.h"
#include "apps/data/labeled_images.h"
#include "apps/data/toy2d.h"
#include "apps/error.h"
#include "apps/io/npy.h"
#include "diffusion/random_streams.h"
#include "tensor/ops.h"
#include "tensor/random.h"

namespace apps {
namespace {

// "name:arg" -> arg if spec starts with "name:", else "" (and has_arg false).
bool split_spec(const std::string& spec, const std::string& name, std::string& arg) {
  if (spec == name) return arg.clear(), true;
  if (spec.rfind(name + ":", 0) != 0) return false;
  arg = spec.substr(name.size() + 1);
  return true;
}

}  // namespace

tensor::Tensor load_data(const std::string& spec, uint64_t seed, int64_t n_points, tensor::Tensor* labels) {
  std::string arg;
  if (labels) *labels = tensor::Tensor();
  if (is_toy_2d(spec)) return toy_2d(spec, n_points, seed, labels);
  const bool labeled_images = split_spec(spec, "fashion-mnist", arg) || split_spec(spec, "fashion-mnist-test", arg) ||
                              (split_spec(spec, "idx", arg) && !arg.empty());
  if (labels && labeled_images) {
    LabeledImages set = load_labeled_images(spec);
    *labels = set.labels;
    return set.images;
  }
  if (split_spec(spec, "fashion-mnist", arg)) return fashion_mnist(arg.empty() ? kFashionMnistDir : arg, false);
  if (split_spec(spec, "fashion-mnist-test", arg)) return fashion_mnist(arg.empty() ? kFashionMnistDir : arg, true);
  if (split_spec(spec, "idx", arg) && !arg.empty()) return read_idx_images(arg);
  if (split_spec(spec, "png", arg) && !arg.empty()) return read_png_dir(arg);
  if (split_spec(spec, "npy", arg) && !arg.empty()) {
    const tensor::Tensor x = read_npy(arg);
    APPS_CHECK((x.dim() == 2 || x.dim() == 4) && x.size(0) > 0,
               "{}: data must be points (N, d) or images (N, C, H, W), got {}", arg, tensor::shape_str(x.shape()));
    return x;
  }
  throw Error(fmt::format("unknown data '{}' (valid: {})", spec, kDataHelp));
}

Batcher::Batcher(tensor::Tensor data, int64_t batch_size, uint64_t seed)
    : data_(std::move(data)), batch_size_(batch_size), seed_(seed) {
  APPS_CHECK(batch_size_ >= 1 && batch_size_ <= data_.size(0), "batch size {} does not fit a data set of {} examples",
             batch_size_, data_.size(0));
  shuffle();
}

void Batcher::shuffle() {
  // order = f(seed, epoch), on streams of its own (Note [Random streams])
  tensor::Generator gen(seed_);
  gen.set_stream(diffusion::first_stream(diffusion::RandomUse::DataOrder) + static_cast<uint64_t>(position_.epoch));
  order_ = tensor::randperm(data_.size(0), gen);
}

void Batcher::set_position(BatchPosition position) {
  APPS_CHECK(position.epoch >= 0 && position.index >= 0 && position.index <= data_.size(0),
             "cannot resume the data at epoch {} index {} (data set of {} examples, batch {})", position.epoch,
             position.index, data_.size(0), batch_size_);
  position_ = position;
  shuffle();
}

tensor::Tensor Batcher::next(const tensor::Tensor& all_labels, tensor::Tensor* labels) {
  if (position_.index + batch_size_ > data_.size(0)) {
    position_ = {position_.epoch + 1, 0};
    shuffle();
  }
  const tensor::Tensor rows = order_.narrow(0, position_.index, batch_size_).contiguous();
  position_.index += batch_size_;
  if (labels) *labels = tensor::index_select(all_labels, 0, rows);
  return tensor::index_select(data_, 0, rows);
}

}  // namespace apps
