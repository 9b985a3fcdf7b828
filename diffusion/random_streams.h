// Which Philox streams each consumer of a training run's seed draws from:
// the one table of them (Note [Random streams]) and generator_for(), which
// starts a Generator at its consumer's block. How a stream becomes numbers
// is Note [Philox streams] in tensor/philox.h.
#pragma once
#include <cstdint>

#include "tensor/random.h"

namespace diffusion {

// Note [Random streams]: a run has one seed, and several things draw from
// it: the generated data, the order the data is visited in, the initial
// weights, the loss's t and eps, and the samples drawn at the end. A
// Generator(seed) hands out streams 0, 1, 2, ... (one per random tensor),
// so two consumers that each start a Generator(seed) draw the same numbers.
// That once made the epoch-0 shuffle keys of `diffuse train` the 2-D data's
// own first draw (the angle of each moon point): every epoch-0 batch held
// one part of the set, and the loss jumped at the first new epoch.
//
// So each consumer starts at its own block of 2^48 streams, first_stream(use)
// = use << 48, and counts up from there (no run draws 2^48 tensors):
//
//   RandomUse        block  drawn by
//   DataGeneration   0      the built-in 2-D sets and gmm:FILE points
//                           (apps/data/toy2d.cpp)
//   DataOrder        1      the Batcher's shuffle, epoch e at block + e
//                           (apps/data/dataset.cpp); Trainer's DataSource
//   InitialWeights   2      the network's initial weights (`diffuse train`)
//   TrainingNoise    3      the loss's t and eps (`diffuse train`, Trainer);
//                           a checkpoint saves this generator's stream
//   Sampling         4      the samples `diffuse train` draws at its end
//   ClassDrop        5      which labels a class-conditional run drops to
//                           the null class, step s at block + s
//                           (apps/commands/train_classes.cpp)
//
// Block 0 is also what a plain Generator(seed) uses: the library's seeded
// functions (a sampler's sample(seed), metrics) and the other commands,
// whose --seed serves one consumer each or generates data far from it. The
// data sets keep block 0 so that a seed gives the points it always gave.
// Changing a block changes every result drawn from it, so these are fixed.
enum class RandomUse : uint64_t {
  DataGeneration = 0,
  DataOrder = 1,
  InitialWeights = 2,
  TrainingNoise = 3,
  Sampling = 4,
  ClassDrop = 5,
};

inline constexpr int kRandomUseShift = 48;

inline uint64_t first_stream(RandomUse use) { return static_cast<uint64_t>(use) << kRandomUseShift; }

// Generator(seed) positioned at the first stream of use's block.
inline tensor::Generator generator_for(uint64_t seed, RandomUse use) {
  tensor::Generator gen(seed);
  gen.set_stream(first_stream(use));
  return gen;
}

}  // namespace diffusion
