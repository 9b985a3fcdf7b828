// Labeled image sets (see labeled_images.h): an IDX image file and the IDX
// label file beside it.
#include "apps/data/labeled_images.h"

#include <filesystem>

#include "apps/data/idx.h"
#include "apps/data/image_sets.h"
#include "apps/error.h"

namespace apps {
namespace {

namespace fs = std::filesystem;

// MNIST's naming: "train-images-idx3-ubyte.gz" -> "train-labels-idx1-ubyte.gz".
std::string labels_path_for(const std::string& images_path) {
  const std::string from = "images-idx3", to = "labels-idx1";
  const std::string name = fs::path(images_path).filename().string();
  const size_t at = name.rfind(from);
  APPS_CHECK(at != std::string::npos, "{}: cannot find its labels: the name should contain '{}' (the labels are "
             "then the file named with '{}')", images_path, from, to);
  return (fs::path(images_path).parent_path() / (name.substr(0, at) + to + name.substr(at + from.size()))).string();
}

// The file `stem` or `stem`.gz in dir.
std::string idx_file(const std::string& dir, const std::string& stem) {
  APPS_CHECK(fs::is_directory(dir), "{}: no such directory (Fashion-MNIST's IDX files go there)", dir);
  const fs::path path = fs::path(dir) / stem;
  return fs::exists(path.string() + ".gz") ? path.string() + ".gz" : path.string();
}

LabeledImages read_pair(const std::string& images_path) {
  const std::string labels_path = labels_path_for(images_path);
  LabeledImages set{read_idx_images(images_path), read_idx_labels(labels_path)};
  APPS_CHECK(set.images.size(0) == set.labels.size(0), "{} holds {} images but {} holds {} labels", images_path,
             set.images.size(0), labels_path, set.labels.size(0));
  return set;
}

}  // namespace

LabeledImages load_labeled_images(const std::string& spec) {
  for (const bool test : {false, true}) {
    const std::string name = test ? "fashion-mnist-test" : "fashion-mnist";
    if (spec != name && spec.rfind(name + ":", 0) != 0) continue;
    const std::string dir = spec == name ? kFashionMnistDir : spec.substr(name.size() + 1);
    return read_pair(idx_file(dir, test ? "t10k-images-idx3-ubyte" : "train-images-idx3-ubyte"));
  }
  if (spec.rfind("idx:", 0) == 0 && spec.size() > 4) return read_pair(spec.substr(4));
  throw Error(fmt::format("unknown labeled data '{}' (valid: {})", spec, kLabeledDataHelp));
}

}  // namespace apps
