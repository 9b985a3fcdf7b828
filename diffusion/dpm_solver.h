// DPM-Solver++ (docs/math.md (12.4)-(12.6)): the multistep solver of the
// probability-flow ODE in data-prediction form, first (= DDIM, eta = 0),
// second (2M) or third (3M) order, on time points of the discrete schedule's
// integer grid. The step-by-step derivation is docs/fast-solvers.md.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "diffusion/sampling.h"
#include "diffusion/schedule.h"
#include "tensor/random.h"

namespace diffusion {

// Shapes: N batch, then the data's dims (d for points, C, H, W for images);
// x, x0_hat and the differences D all have x's shape.

// How the time points are spread between t = T and t = 1:
//   LogSnr: uniform in lambda_hat = log(a_t / b_t), the default (the paper's code
//           recommends it for low-resolution images, which is what we sample);
//   Time:   uniform in t, the even sub-sequence of docs/math.md (1.6).
enum class SolverSpacing { LogSnr, Time };
SolverSpacing parse_solver_spacing(const std::string& name);  // "logsnr" or "time"

// K time points 1 = tau_1 < ... < tau_K = T of the integer grid, spread as
// `spacing` says (K = 1 gives {T}). Rounding to the grid can put two targets
// on one step where the grid is coarse in lambda_hat (near t = 1); those are
// moved apart to the nearest free steps, so there are always exactly K points
// and a K-point solver costs exactly K evaluations. Needs 1 <= K <= T.
std::vector<int64_t> solver_timesteps(const Schedule& schedule, int64_t K, SolverSpacing spacing);

struct DpmSolverPlusPlus {
  Schedule schedule;
  std::vector<int64_t> timesteps;  // tau_1 < ... < tau_K in 1..T: the time points, walked downwards
  int order = 2;                   // 1 (DDIM), 2 (2M) or 3 (3M)
  bool clip_x0 = false;            // clip each x0_hat to [-1, 1] (off by default, docs/math.md section 12)
  bool lower_order_final = true;   // with at most 15 points the last steps drop to order 1 (and 2)
  // 3M only: weigh D2 as the published DPM-Solver code does (1 instead of 2, docs/math.md (12.6)),
  // which makes the step second order; kept to show the difference, never the default.
  bool published_d2_weight = false;

  // The order of step i (1..M, from the i-th to the (i+1)-th highest point of M + 1):
  // min(order, i) for the missing history, and with lower_order_final and M + 1 <= 15
  // also at most M + 1 - i, so the final step is first order (docs/math.md section 12).
  int step_order(int64_t i) const;

  // Model evaluations of one run: one per time point, K = timesteps.size().
  int64_t nfe() const { return static_cast<int64_t>(timesteps.size()); }

  // From x_T (at the highest time point) down to the sample x0_hat(x_{tau_1}).
  // No randomness, no graph. on_step gets (s, x_s) after each step, (0, sample) last.
  Tensor run(const EpsModel& model, const Tensor& x_T, const StepCallback& on_step = {}) const;
  // The same, drawing x_T ~ N(0, I) of `shape` first from Generator(seed).
  Tensor sample(const EpsModel& model, const tensor::Shape& shape, uint64_t seed,
                tensor::DType dtype = tensor::DType::Float32, const StepCallback& on_step = {}) const;
};

}  // namespace diffusion
