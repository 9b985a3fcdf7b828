// EMA: an exponential moving average of a module's parameters, the weights
// diffusion models are usually sampled with. After each optimizer step,
//   shadow = decay_n * shadow + (1 - decay_n) * p,
// decay_n = decay, or with warm-up min(decay, (1 + n) / (10 + n)) for the
// update that follows n earlier ones (TensorFlow's ExponentialMovingAverage
// with num_updates), so the average soon forgets the initial weights.
// For evaluation, copy_to() writes the averages into a module, or swap()
// exchanges them with the live weights (call it again to swap back).
#pragma once
#include "nn/module.h"

namespace nn {

class EMA {
 public:
  // warmup false keeps decay from the first update on (the initial weights
  // then still hold decay^k of the average after k updates).
  EMA(const Module& module, double decay = 0.999, bool warmup = false);
  void update(const Module& module);
  void copy_to(Module& module) const;
  void swap(Module& module);
  double decay() const { return decay_; }
  bool warmup() const { return warmup_; }
  // The decay of the update that follows n earlier ones (see the top).
  double decay_at(int64_t n) const;
  int64_t num_updates() const { return num_updates_; }

  // The averages, by parameter name; load checks names, shapes and dtypes.
  const StateDict& state_dict() const { return shadow_; }
  void load_state_dict(const StateDict& state, int64_t num_updates);

 private:
  double decay_;
  bool warmup_;
  StateDict shadow_;
  int64_t num_updates_ = 0;
};

}  // namespace nn
