// What every discrete sampler shares: the network label of a step, one
// model evaluation without a graph, the per-step callback, and the one loop
// over a trajectory that every sampler runs with its own jump rule. The rules
// are ddpm.h (ancestral), ddim.h (DDIM and its inversion) and
// analytic/samplers.h (the optimal variances).
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "diffusion/model.h"
#include "diffusion/schedule.h"
#include "tensor/random.h"

namespace diffusion {

// The label of step t for a batch of N: float32 (N,) filled with t - 1 (model.h), on `device`.
Tensor step_label(int64_t N, int64_t t, tensor::Device device = tensor::Device::CPU);

// eps_theta(x, t) as a plain tensor, x's shape (N, ...). Records no graph.
Tensor predict_eps(const EpsModel& model, const Tensor& x, int64_t t);

// The front-door check of a sampler step: 0 <= s < t <= T and eps of x_t's shape.
void check_jump(const Schedule& schedule, int64_t t, int64_t s, const Tensor& x_t, const Tensor& eps, const char* op);

// Called after each jump with the new timestep s and x_s (for trajectories).
using StepCallback = std::function<void(int64_t s, const Tensor& x_s)>;

// One jump t -> s (0 <= s < t) of a sampler from x_t, given eps = eps_theta(x_t, t);
// a rule that adds noise draws it from gen (and only then).
using JumpRule =
    std::function<Tensor(const Tensor& x_t, const Tensor& eps, int64_t t, int64_t s, tensor::Generator& gen)>;

// Note [One sampler loop]: every discrete sampler walks tau_K -> ... -> tau_1 -> 0
// the same way: evaluate eps_theta(x, tau_k) (no graph), apply its jump rule
// to go to tau_{k-1} (0 after tau_1), report the step. Only the rule differs,
// so the loop is written once here; a sampler's run() checks its settings and
// calls it. The chain stays on x_T's device: the rules draw their noise with
// randn_like and the labels are made on x's device.
Tensor run_chain(const EpsModel& model, const std::vector<int64_t>& timesteps, const Tensor& x_T,
                 tensor::Generator& gen, const JumpRule& jump, const StepCallback& on_step = {});

// x_T ~ N(0, I) of `shape` on `device`: what the samplers' seed-only sample() draws first.
Tensor draw_x_T(const tensor::Shape& shape, tensor::Generator& gen, tensor::DType dtype, tensor::Device device);

}  // namespace diffusion
