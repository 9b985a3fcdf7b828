// The EDM sampler of Karras et al. (docs/math.md (12.7)-(12.8)): Heun's method on
// the probability-flow ODE in sigma = b_t / a_t, with x = x_t / a_t, over
// the rho = 7 spacing, run on a VP eps-model of the discrete schedule.
// The derivation and the label choice are in docs/fast-solvers.md.
#pragma once
#include <cstdint>
#include <vector>

#include "diffusion/sampling.h"
#include "diffusion/schedule.h"
#include "tensor/random.h"

namespace diffusion {

// Shapes: N batch, then the data's dims; x, the slopes d and the VP-scale
// x_t = a x all have x_T's shape.

// sigma_t = b_t / a_t = sqrt((1 - alpha_bar_t) / alpha_bar_t): the noise level of x_t / a_t (docs/math.md section 12).
double vp_sigma(const Schedule& schedule, int64_t t);

// docs/math.md (12.7): `points` sigmas from sigma_max down to sigma_min, uniform in
// sigma^(1/rho), then 0 (points + 1 values). points = 1 gives {sigma_max, 0}.
std::vector<double> karras_sigmas(double sigma_min, double sigma_max, int64_t points, double rho = 7.0);

// The fractional step t in [1, T] whose log alpha_bar, interpolated linearly
// between the integer steps, is -log(1 + sigma^2), the alpha_bar of sigma.
// Needs sigma_1 <= sigma <= sigma_T.
double interpolated_step(const Schedule& schedule, double sigma);

// The discrete kernel (ddpm_kernel) extended to fractional labels: label l is
// step t = l + 1 in [0, T], and log alpha_bar is interpolated linearly in t.
// At whole labels it gives exactly ddpm_kernel's (a_t, b_t).
KernelFn interpolated_ddpm_kernel(const Schedule& schedule);

// Where the denoiser of a sigma that is not on the grid is evaluated:
//   Interpolate: at the fractional step interpolated_step(sigma) (label t - 1,
//                fractional), so the solver sees exactly the sigmas of (12.7).
//                The model must accept fractional labels: a network with a
//                sinusoidal time embedding does; the oracle needs
//                interpolated_ddpm_kernel. The default.
//   Nearest:     each sigma of (12.7) is first moved to the grid sigma_t nearest
//                in log sigma (EDM's round_sigma), repeats dropped; labels are
//                whole and the steps use the moved sigmas, so the ODE is still
//                solved consistently, on a slightly different spacing.
enum class EdmLabels { Interpolate, Nearest };

struct EdmHeunSampler {
  Schedule schedule;
  int64_t points = 10;  // N of (12.7): N Heun steps, the last one Euler, 2N - 1 evaluations
  double rho = 7.0;
  EdmLabels labels = EdmLabels::Interpolate;
  // Clip each D(x; sigma) = x0_hat to [-1, 1] and take the slope from the
  // clipped value, d = (x - D) / sigma, as DDIM and DPM-Solver++ do with
  // clip_x0 (off by default; `diffuse sample` turns it on for images).
  bool clip_x0 = false;

  // The most points whose 2N - 1 evaluations fit a budget of `nfe` (>= 1):
  // N = floor((nfe + 1) / 2), so an even budget leaves one evaluation unused.
  static int64_t points_for_nfe(int64_t nfe);

  // The sigmas walked, sigma_T first and 0 last (with Nearest, on the grid and possibly fewer).
  std::vector<double> sigmas() const;
  // Model evaluations of one run: 2 per step into sigma > 0, 1 for the last.
  int64_t nfe() const;

  // From x_T ~ N(0, I) at t = T (x = x_T / a_T) to the sample at sigma = 0.
  // No randomness, no graph. on_step gets (nearest step, a x) after each step, (0, sample) last.
  Tensor run(const EpsModel& model, const Tensor& x_T, const StepCallback& on_step = {}) const;
  // The same, drawing x_T ~ N(0, I) of `shape` first from Generator(seed).
  Tensor sample(const EpsModel& model, const tensor::Shape& shape, uint64_t seed,
                tensor::DType dtype = tensor::DType::Float32, const StepCallback& on_step = {}) const;
};

}  // namespace diffusion
