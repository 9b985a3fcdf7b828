// Noise schedules of the discrete forward process (docs/math.md section 1): the
// linear (1.3), cosine (1.4) and the blog's (1.5) schedules, every derived
// per-step quantity, and the jump quantities (1.9) of a sub-sequence.
// Timestep sub-sequences live in timesteps.h; samplers in ddpm.h / ddim.h.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "diffusion/model.h"

namespace diffusion {

// A schedule of T steps, in float64. Every vector has T + 1 entries and is
// indexed by the MATH timestep t = 0..T (1-indexed steps; entry 0 is the
// clean data: beta[0] = 0, alpha[0] = alpha_bar[0] = 1, beta_tilde[0] = 0,
// log_snr[0] = +inf). The network's label for step t is t - 1.
struct Schedule {
  int64_t T = 0;
  std::vector<double> beta;        // beta_t, per-step noise variance
  std::vector<double> alpha;       // alpha_t = 1 - beta_t
  std::vector<double> alpha_bar;   // prod_{s<=t} alpha_s, alpha_bar_0 = 1
  std::vector<double> beta_tilde;  // variance of q(x_{t-1} | x_t, x_0)
  std::vector<double> log_snr;     // lambda_t = log(alpha_bar_t / (1 - alpha_bar_t))

  // a_t = sqrt(alpha_bar_t), b_t = sqrt(1 - alpha_bar_t): x_t = a_t x_0 + b_t eps (docs/math.md (1.2)).
  double a(int64_t t) const;
  double b(int64_t t) const;

  // Jump quantities from s to t > s (docs/math.md (1.9)); s = t - 1 gives the per-step ones.
  double alpha_jump(int64_t t, int64_t s) const;       // alpha_{t|s} = alpha_bar_t / alpha_bar_s
  double beta_jump(int64_t t, int64_t s) const;        // beta_{t|s} = 1 - alpha_bar_t / alpha_bar_s
  double beta_tilde_jump(int64_t s, int64_t t) const;  // beta_tilde_{s|t}
};

// The per-step quantities a batch indexes, as float64 (T + 1,) tensors on one
// device: entry t is step t, so index_select(a, 0, steps) gives each sample's
// a_t without a trip through the host (training, the covariance heads).
struct ScheduleTables {
  Tensor a;          // sqrt(alpha_bar_t)
  Tensor b;          // sqrt(1 - alpha_bar_t)
  Tensor alpha_bar;  // alpha_bar_t
};
ScheduleTables schedule_tables(const Schedule& schedule, tensor::Device device = tensor::Device::CPU);

// Every derived quantity from beta_1..beta_T (each in (0, 1]).
// `betas` has T entries, betas[i] = beta_{i+1}.
Schedule schedule_from_betas(const std::vector<double>& betas);

// Ho et al.: beta_t linear from beta_1 to beta_T (docs/math.md (1.3)).
Schedule linear_schedule(int64_t T = 1000, double beta_1 = 1e-4, double beta_T = 0.02);
// Nichol & Dhariwal: alpha_bar from a squared cosine, beta clipped at 0.999 (docs/math.md (1.4)).
Schedule cosine_schedule(int64_t T = 1000, double s = 0.008);
// Su's blog: beta_t = 0.02 t / T (docs/math.md (1.5)).
Schedule blog_schedule(int64_t T = 1000);
// By name: "linear", "cosine" or "blog"; throws on anything else.
Schedule make_schedule(const std::string& name, int64_t T = 1000);

// The discrete kernel as a KernelFn: label l (= t - 1, l in -1..T-1, where
// l = -1 is t = 0, the clean data) maps to (a_t, b_t). Labels must be whole
// numbers. The returned function holds its own copy of the schedule.
KernelFn ddpm_kernel(const Schedule& schedule);

}  // namespace diffusion
