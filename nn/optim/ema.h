// EMA: an exponential moving average of a module's parameters, the weights
// diffusion models are usually sampled with. After each optimizer step,
//   shadow = decay * shadow + (1 - decay) * p.
// For evaluation, copy_to() writes the averages into a module, or swap()
// exchanges them with the live weights (call it again to swap back).
#pragma once
#include "nn/module.h"

namespace nn {

class EMA {
 public:
  EMA(const Module& module, double decay = 0.999);
  void update(const Module& module);
  void copy_to(Module& module) const;
  void swap(Module& module);
  double decay() const { return decay_; }
  int64_t num_updates() const { return num_updates_; }

  // The averages, by parameter name; load checks names, shapes and dtypes.
  const StateDict& state_dict() const { return shadow_; }
  void load_state_dict(const StateDict& state, int64_t num_updates);

 private:
  double decay_;
  StateDict shadow_;
  int64_t num_updates_ = 0;
};

}  // namespace nn
