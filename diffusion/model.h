// The two function types every sampler, loss and oracle in diffusion/ speaks:
// an epsilon model eps_theta(x_t, label) and the Gaussian kernel
// q(x_t | x_0) = N(a x_0, b^2 I) as a function of that label. It holds no
// maths of its own; see docs/math.md sections 0, 1.2, 4.4 and 10.
#pragma once
#include <functional>
#include <utility>

#include "autograd/variable.h"
#include "tensor/tensor.h"

namespace nn {
class TimestepModel;  // nn/module.h; forward-declared so this header needs no nn include
}

namespace diffusion {

using autograd::Variable;
using tensor::Tensor;

// Shapes: N batch, then the data's own dims (d = 2 for points, C, H, W for images).
//
// An epsilon model: eps_theta(x_t, label) -> predicted noise, x_t's shape.
// `label` is a float32 (N,) tensor of the network's timestep labels:
//   discrete DDPM: label = t - 1 in 0..T-1 (as the reference code trains);
//   VP SDE: label = 999 t for continuous t in [0, 1] (docs/math.md (4.4)).
// A trained network (as_eps_model) and the exact oracle (oracle.h) both fit.
using EpsModel = std::function<Variable(const Variable& x, const Tensor& label)>;

// The Gaussian kernel q(x_t | x_0) = N(a x_0, b^2 I) (docs/math.md (1.2), (4.3))
// as a function of the same label: returns (a, b), each a float64 (N,)
// tensor. Consumers cast to their working dtype (x's dtype) themselves.
// ddpm_kernel(schedule) in schedule.h is the discrete one.
using KernelFn = std::function<std::pair<Tensor, Tensor>(const Tensor& label)>;

// Wraps a network as an EpsModel (calls model.forward(x, label)). The model
// must outlive the returned function, which holds a reference to it.
// Defined in model.cpp (needs nn/module.h).
EpsModel as_eps_model(nn::TimestepModel& model);

}  // namespace diffusion
