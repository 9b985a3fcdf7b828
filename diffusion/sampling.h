// What every discrete sampler shares: the network label of a step, one
// model evaluation without a graph, and the per-step callback. The samplers
// themselves are ddpm.h (ancestral) and ddim.h (DDIM and its inversion).
#pragma once
#include <cstdint>
#include <functional>

#include "diffusion/model.h"
#include "diffusion/schedule.h"

namespace diffusion {

// The label of step t for a batch of N: float32 (N,) filled with t - 1 (model.h).
Tensor step_label(int64_t N, int64_t t);

// eps_theta(x, t) as a plain tensor, x's shape (N, ...). Records no graph.
Tensor predict_eps(const EpsModel& model, const Tensor& x, int64_t t);

// The front-door check of a sampler step: 0 <= s < t <= T and eps of x_t's shape.
void check_jump(const Schedule& schedule, int64_t t, int64_t s, const Tensor& x_t, const Tensor& eps, const char* op);

// Called after each jump with the new timestep s and x_s (for trajectories).
using StepCallback = std::function<void(int64_t s, const Tensor& x_s)>;

}  // namespace diffusion
