// The optimal-variance samplers: analytic-ddpm / analytic-ddim (isotropic
// C_t from a Gamma table, docs/math.md section 7) and npr-ddpm / npr-ddim /
// sn-ddpm / sn-ddim (diagonal C(x_t) from a covariance head, section 8).
// One object and one `step` (the formula (3.3) with sigma^2 from (7.1)); the loop is
// sampling.h's run_chain (Note [One sampler loop]).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "diffusion/analytic/cov_head.h"
#include "diffusion/analytic/gamma_table.h"
#include "diffusion/sampling.h"
#include "diffusion/schedule.h"
#include "tensor/random.h"

namespace diffusion::analytic {

// C for the jump from t, already clamped (7.6; a head's per Note [Reference protocol]): a tensor that broadcasts
// against x_t (0-dim for the isotropic C_t, x_t's shape for a head's C(x_t)).
// eps = eps_theta(x_t, t) is passed for SN (8.4).
using CovarianceFn = std::function<Tensor(const Tensor& x_t, const Tensor& eps, int64_t t)>;

struct OptimalVarianceSampler {
  std::string name;  // one of sampler_names(), for messages
  Schedule schedule;
  std::vector<int64_t> timesteps;  // tau_1 < ... < tau_K in 1..T; the last jump is tau_1 -> 0
  double eta = 1.0;                // 1: DDPM-type (lambda^2 = beta_tilde); 0: DDIM (7.5)
  CovarianceFn covariance;
  // docs/math.md (7.7), images: clip x0_hat to [-1, 1] (the step (3.3) then uses the
  // clipped x0_hat, which is (3.2) with eps recomputed from it, not the
  // reference code's raw eps); and clip the variance of the jump tau_2 -> tau_1
  // to first_jump_sigma2_max(first_jump_y) when first_jump_y > 0.
  bool clip_x0 = false;
  double first_jump_y = 0;

  // One jump t -> s (0 <= s < t) from x_t, given eps = eps_theta(x_t, t), C
  // (from `covariance`) and z ~ N(0, I) (unused when s = 0: the last jump has
  // no noise and returns x0_hat, docs/math.md (7.7)).
  Tensor step(const Tensor& x_t, const Tensor& eps, const Tensor& C, int64_t t, int64_t s, const Tensor& z) const;

  // From x_T down to x_0, noise from gen. Records no graph.
  Tensor run(const EpsModel& model, const Tensor& x_T, tensor::Generator& gen, const StepCallback& on_step = {}) const;
  // run() with Generator(seed): the same seed gives the same samples bit for bit.
  Tensor sample(const EpsModel& model, const Tensor& x_T, uint64_t seed, const StepCallback& on_step = {}) const;
  // Draws x_T ~ N(0, I) of `shape` from Generator(seed) first.
  Tensor sample(const EpsModel& model, const tensor::Shape& shape, uint64_t seed,
                tensor::DType dtype = tensor::DType::Float32, const StepCallback& on_step = {},
                tensor::Device device = tensor::Device::CPU) const;
};

// What make_sampler needs; fields a sampler does not use may stay empty.
struct SamplerSetup {
  Schedule schedule;
  std::vector<int64_t> timesteps;     // even, quadratic, optimal_trajectory(...), ...
  double ddim_eta = 0.0;              // eta of the *-ddim samplers
  const GammaTable* table = nullptr;  // analytic-*: must cover every t of timesteps
  CEstimate c_estimate = CEstimate::Residual;
  CClip c_clip = CClip::Bounds;             // analytic-*: Note [Clipping the residual estimate]
  std::shared_ptr<nn::TimestepModel> head;  // npr-* / sn-*: a trained head of that kind
  DataBounds bounds;                        // npr-* / sn-*: the (7.6) bounds (table->bounds if a table is given)
  Protocol protocol = Protocol::Reference;  // npr-* / sn-*: the clamp of C(x_t), Note [Reference protocol]
  bool images = false;                      // the (7.7) image rules: clip x0_hat, clip the last noisy jump
  double first_jump_y = 1.0;                // y of (7.7) (2 for Analytic-DDPM on the linear schedule)
};

// "analytic-ddpm", "analytic-ddim", "npr-ddpm", "npr-ddim", "sn-ddpm", "sn-ddim".
const std::vector<std::string>& sampler_names();
OptimalVarianceSampler make_sampler(const std::string& name, const SamplerSetup& setup);

}  // namespace diffusion::analytic
