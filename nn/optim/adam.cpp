// Adam/AdamW: the optimizer keeps the moments and the step count and calls
// the adam_step_ tensor op once per parameter (its kernel, one per backend,
// is in tensor/cpu/adam.cpp and tensor/cuda/).
#include "nn/optim/adam.h"

#include "tensor/ops.h"

namespace nn {

Adam::Adam(std::vector<NamedParameter> params, const AdamOptions& options)
    : Optimizer(std::move(params), options.lr, {"exp_avg", "exp_avg_sq"}), options_(options) {
  TENSOR_CHECK(options.beta1 >= 0 && options.beta1 < 1 && options.beta2 >= 0 && options.beta2 < 1 && options.eps >= 0,
               "[Adam] bad hyperparameters: beta1 {} beta2 {} eps {}", options.beta1, options.beta2, options.eps);
}

void Adam::update(Tensor& p, const Tensor& g, std::vector<Tensor>& state) {
  const tensor::AdamStepParams params{
      lr_, options_.beta1, options_.beta2, options_.eps, options_.weight_decay, step_count(), options_.decoupled};
  tensor::adam_step_(p, g, state[0], state[1], params);
}

AdamW::AdamW(std::vector<NamedParameter> params, const AdamWOptions& o)
    : Adam(std::move(params), AdamOptions{o.lr, o.beta1, o.beta2, o.eps, o.weight_decay, /*decoupled=*/true}) {}

}  // namespace nn
