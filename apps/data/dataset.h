// The --data argument and the batches a trainer draws. load_data turns a
// name into one tensor of examples; Batcher walks it in a shuffled order
// that is a pure function of (seed, epoch), so a run can save its position
// (epoch, index) and resume with exactly the batches it would have seen.
#pragma once
#include <cstdint>
#include <string>

#include "tensor/tensor.h"

namespace apps {

// Shapes: N examples; each (2) for points or (C, H, W) for images.

inline constexpr const char* kDataHelp =
    "moons | swissroll | 8gaussians | checkerboard | gmm:FILE.json | fashion-mnist[:DIR] | "
    "fashion-mnist-test[:DIR] | idx:FILE[.gz] | png:DIR | npy:FILE.npy";

// The data named by spec (see kDataHelp). 2-D sets are generated: n_points
// of them from seed. Files are read whole; errors name the file. With
// `labels` given, it receives the examples' classes, Int64 (N,), or an
// undefined tensor for data without them (labeled: fashion-mnist[-test],
// idx:FILE with its labels file (labeled_images.h), moons, 8gaussians,
// gmm:FILE; see toy2d.h).
tensor::Tensor load_data(const std::string& spec, uint64_t seed, int64_t n_points = 50000,
                         tensor::Tensor* labels = nullptr);

// Where a Batcher stands: the next batch is rows index.. of epoch's order.
struct BatchPosition {
  int64_t epoch = 0;
  int64_t index = 0;
};

class Batcher {
 public:
  // batch_size must be in 1..N. The order of epoch e is randperm(N) drawn
  // from Generator(seed) at stream e of the DataOrder block (Note [Random
  // streams] in diffusion/random_streams.h), apart from the data's own draws.
  Batcher(tensor::Tensor data, int64_t batch_size, uint64_t seed);

  // The next (batch_size, ...) batch. An epoch's last rows that do not fill
  // a batch are skipped (they come up in other positions in other epochs).
  // With `labels` given, it receives the same rows of `all_labels` ((N,), the data's classes).
  tensor::Tensor next(const tensor::Tensor& all_labels = tensor::Tensor(), tensor::Tensor* labels = nullptr);

  BatchPosition position() const { return position_; }
  void set_position(BatchPosition position);
  int64_t size() const { return data_.size(0); }

 private:
  void shuffle();

  tensor::Tensor data_;
  int64_t batch_size_;
  uint64_t seed_;
  BatchPosition position_;
  tensor::Tensor order_;  // this epoch's permutation, int64 (N,)
};

}  // namespace apps
