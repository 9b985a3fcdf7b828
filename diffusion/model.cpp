// as_eps_model: the bridge from an nn::TimestepModel to the EpsModel that
// samplers and likelihoods call (model.h).
#include "diffusion/model.h"

#include "nn/module.h"

namespace diffusion {

EpsModel as_eps_model(nn::TimestepModel& model) {
  return [&model](const Variable& x, const Tensor& label) { return model.forward(x, label); };
}

}  // namespace diffusion
