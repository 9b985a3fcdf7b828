// Random tensors from a seeded Generator. Each call takes a fresh stream from
// the generator, and element i of the result depends only on (seed, stream, i)
// (Note [Philox streams] in tensor/philox.h): the same seed gives the same
// numbers whatever the number of threads, and on any device. Consumers that
// share a seed start at different streams: Note [Random streams] in
// diffusion/random_streams.h.
#pragma once
#include <cstdint>

#include "tensor/tensor.h"

namespace tensor {

class Generator {
 public:
  explicit Generator(uint64_t seed = 0) : seed_(seed) {}
  uint64_t seed() const { return seed_; }
  // The stream the next random tensor will use; saved and restored to resume a run.
  uint64_t stream() const { return stream_; }
  void set_stream(uint64_t stream) { stream_ = stream; }
  uint64_t next_stream() { return stream_++; }

 private:
  uint64_t seed_;
  uint64_t stream_ = 0;
};

// Standard normal N(0, 1).
Tensor randn(const Shape& shape, Generator& gen, DType dtype = DType::Float32, Device device = Device::CPU);
// Uniform on [0, 1).
Tensor rand(const Shape& shape, Generator& gen, DType dtype = DType::Float32, Device device = Device::CPU);
// Uniform integers in [low, high), as int64.
Tensor randint(int64_t low, int64_t high, const Shape& shape, Generator& gen, Device device = Device::CPU);
// A random permutation of 0..n-1, as int64 (for shuffling a data set). The
// sort runs on the host; the result is copied to `device`.
Tensor randperm(int64_t n, Generator& gen, Device device = Device::CPU);
// randn / rand with x's shape, dtype and device: the noise for a tensor in hand.
Tensor randn_like(const Tensor& x, Generator& gen);
Tensor rand_like(const Tensor& x, Generator& gen);
// Fill an existing (contiguous) tensor in place.
Tensor& normal_(Tensor& t, Generator& gen);
Tensor& uniform_(Tensor& t, Generator& gen);

}  // namespace tensor
