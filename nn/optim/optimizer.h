// Optimizer: the base of SGD, Adam and AdamW. It holds the parameters by
// name, the learning rate, the step count and the per-parameter state
// buffers (momentum, moments), all of which state_dict() exposes as named
// tensors ("exp_avg.net.0.weight") so a run can be saved and resumed exactly.
// The update rules live in the subclasses (sgd.h, adam.h).
#pragma once
#include <string>
#include <vector>

#include "nn/module.h"

namespace nn {

class Optimizer {
 public:
  // `state_kinds` names the buffers each parameter gets ("exp_avg", ...);
  // they start as zeros of the parameter's shape and dtype.
  Optimizer(std::vector<NamedParameter> params, double lr, std::vector<std::string> state_kinds);
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update from the gradients in p.grad(); parameters without a gradient
  // are left alone. Runs outside the graph (no gradients are recorded).
  void step();
  void zero_grad();

  double lr() const { return lr_; }
  void set_lr(double lr) { lr_ = lr; }
  // Completed steps; Adam's bias correction uses step_count() after the increment.
  int64_t step_count() const { return step_count_; }
  const std::vector<NamedParameter>& params() const { return params_; }

  // "<kind>.<parameter name>" -> buffer (shared with the optimizer: clone to snapshot).
  StateDict state_dict() const;
  // Restores buffers and the step count; every buffer must be present with
  // the parameter's shape and dtype, and nothing else.
  void load_state_dict(const StateDict& state, int64_t step_count);

 protected:
  // Updates parameter i (its value p, gradient g) with its state buffers
  // (in state_kinds order); step_count_ has already been incremented.
  virtual void update(Tensor& p, const Tensor& g, std::vector<Tensor>& state) = 0;

  double lr_;

 private:
  std::vector<NamedParameter> params_;
  std::vector<std::string> kinds_;
  std::vector<std::vector<Tensor>> state_;  // state_[param][kind]
  int64_t step_count_ = 0;
};

}  // namespace nn
