// Ancestral (DDPM) sampling, docs/math.md (2.5)-(2.6), on the full chain or a
// K-step sub-sequence with the jump quantities (1.9). One `step` (the
// formula); the loop is sampling.h's run_chain (Note [One sampler loop]).
// DDIM is ddim.h; the optimal (analytic) variance of section 7 lives elsewhere.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "diffusion/sampling.h"
#include "diffusion/schedule.h"
#include "diffusion/timesteps.h"  // the sub-sequences a sampler is built with
#include "tensor/random.h"

namespace diffusion {

// Shapes: N batch, then the data's dims (d for points, C, H, W for images);
// x_t, eps, z and x0_hat all have x_t's shape.
// sigma^2 of a reverse step, docs/math.md (2.6): beta ("ddpm", the upper choice,
// optimal for N(0, I) data) or beta_tilde ("ddpm-tilde", the lower, optimal
// for a single point). On a jump t -> s: beta_{t|s} or beta_tilde_{s|t} (1.9).
enum class AncestralVariance { Beta, BetaTilde };
AncestralVariance parse_ancestral_variance(const std::string& name);  // "ddpm" or "ddpm-tilde"

struct AncestralSampler {
  Schedule schedule;
  std::vector<int64_t> timesteps;  // tau_1 < ... < tau_K in 1..T; all_timesteps(T) is the full chain
  AncestralVariance variance = AncestralVariance::Beta;
  bool clip_x0 = false;  // clip x0_hat to [-1, 1] (for images)

  // One jump t -> s (0 <= s < t) from x_t, given eps = eps_theta(x_t, t) and
  // noise z ~ N(0, I) of x_t's shape (unused, may be undefined, when s = 0).
  Tensor step(const Tensor& x_t, const Tensor& eps, int64_t t, int64_t s, const Tensor& z) const;

  // Runs the chain from x_T down to x_0, drawing each step's noise from gen.
  // No graph is recorded.
  Tensor run(const EpsModel& model, const Tensor& x_T, tensor::Generator& gen, const StepCallback& on_step = {}) const;
  // run() with Generator(seed): the same seed gives the same samples bit for bit.
  Tensor sample(const EpsModel& model, const Tensor& x_T, uint64_t seed, const StepCallback& on_step = {}) const;
  // The same, drawing x_T ~ N(0, I) of `shape` first from Generator(seed), then the steps' noise.
  Tensor sample(const EpsModel& model, const tensor::Shape& shape, uint64_t seed,
                tensor::DType dtype = tensor::DType::Float32, const StepCallback& on_step = {},
                tensor::Device device = tensor::Device::CPU) const;
};

}  // namespace diffusion
