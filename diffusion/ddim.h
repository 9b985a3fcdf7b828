// DDIM sampling (docs/math.md (3.1)-(3.2)) with eta in [0, 1] on a sub-sequence,
// and DDIM inversion (3.4), which runs the eta = 0 update upwards to encode
// x_0 as x_T. One `step` (the formula); sampling
// runs sampling.h's shared loop, inversion its own upward loop.
#pragma once
#include <cstdint>
#include <vector>

#include "diffusion/sampling.h"
#include "diffusion/schedule.h"
#include "diffusion/timesteps.h"  // the sub-sequences a sampler is built with
#include "tensor/random.h"

namespace diffusion {

// Shapes: N batch, then the data's dims (d for points, C, H, W for images);
// x_t, eps, z and x0_hat all have x_t's shape.
struct DdimSampler {
  Schedule schedule;
  std::vector<int64_t> timesteps;  // tau_1 < ... < tau_K in 1..T; the last jump is tau_1 -> 0
  double eta = 0.0;                // 0: deterministic; 1: the DDPM step with beta_tilde (jump form)
  bool clip_x0 = false;            // clip x0_hat to [-1, 1] and recompute eps from it (docs/math.md section 3)

  // sigma^2 of the jump t -> s, docs/math.md (3.1).
  double sigma2(int64_t t, int64_t s) const;

  // One jump t -> s (0 <= s < t) from x_t, given eps = eps_theta(x_t, t) and
  // noise z ~ N(0, I) (unused, may be undefined, when sigma = 0).
  Tensor step(const Tensor& x_t, const Tensor& eps, int64_t t, int64_t s, const Tensor& z) const;

  // From x_T down to x_0, noise from gen (only drawn when eta > 0). No graph is recorded.
  Tensor run(const EpsModel& model, const Tensor& x_T, tensor::Generator& gen, const StepCallback& on_step = {}) const;
  // run() with Generator(seed): the same seed gives the same samples bit for bit.
  Tensor sample(const EpsModel& model, const Tensor& x_T, uint64_t seed, const StepCallback& on_step = {}) const;
  // The same, drawing x_T ~ N(0, I) of `shape` first from Generator(seed).
  Tensor sample(const EpsModel& model, const tensor::Shape& shape, uint64_t seed,
                tensor::DType dtype = tensor::DType::Float32, const StepCallback& on_step = {},
                tensor::Device device = tensor::Device::CPU) const;

  // One inversion jump s -> t (s < t), docs/math.md (3.4): x_t = a_t x0_hat(x_s) + b_t eps,
  // eps = eps_theta(x_s, s). Ignores eta and clip_x0.
  Tensor invert_step(const Tensor& x_s, const Tensor& eps, int64_t s, int64_t t) const;
  // Encodes x_0 as x_{tau_K} by running the eta = 0 update upwards through
  // 0 -> tau_1 -> ... -> tau_K. A network knows no label for t = 0, so the
  // first jump evaluates eps at (x_0, tau_1). sample(invert(x_0)) with eta = 0
  // reconstructs x_0 up to a discretization error that shrinks with the step size.
  Tensor invert(const EpsModel& model, const Tensor& x_0, const StepCallback& on_step = {}) const;
};

}  // namespace diffusion
