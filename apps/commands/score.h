// `diffuse score`: the image sample-quality metric of docs/math.md (11.3), the
// Frechet distance between the classifier features of n samples and of n
// reference images, reported with the counts and the classifier file; with
// --class K also the share of samples the classifier labels K (what guidance
// towards K should raise, docs/guidance.md).
#pragma once
#include <cstdint>
#include <ostream>
#include <string>

namespace apps {

struct ScoreOptions {
  std::string samples;                     // FILE.npy or a data spec (png:DIR, npy:FILE, ...)
  std::string ref = "fashion-mnist-test";  // a data spec
  std::string classifier;                  // FILE.safetensors from train-classifier
  std::string features = "classifier";     // classifier | pixels (4 x 4 block means per channel, pixel_features.h)
  int64_t n = 1000;                        // images taken from each set
  uint64_t seed = 0;                       // which n, when a set holds more
  int64_t class_index = -1;                // --class K: also the share of samples labelled K; -1: none
  bool json = false;                       // the last line is the result as one JSON object
  std::string device = "cpu";              // where the classifier runs: cpu | cuda (apps/device.h)
};

void run_score(const ScoreOptions& options, std::ostream& out);

}  // namespace apps
