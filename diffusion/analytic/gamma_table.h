// Monte Carlo estimates of Gamma_t (docs/math.md (7.3)) and of the residual
// E||eps - eps_theta||^2/d (7.3r), from the same draws, for every t of a
// schedule or of a sub-sequence; the C_t (7.2)/(7.3r) they give; and their
// file beside a checkpoint. The variance formulas themselves are variance.h.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "diffusion/analytic/variance.h"
#include "diffusion/model.h"
#include "diffusion/schedule.h"

namespace diffusion::analytic {

// Which estimate of C_t = E Var(x_0 | x_t)/d a number uses (`--c-estimate`).
//   Residual (the default): C_t = ((1 - alpha_bar_t)/alpha_bar_t) E||eps - eps_theta||^2/d   docs/math.md (7.3r)
//   Gamma:                  C_t = ((1 - alpha_bar_t)/alpha_bar_t) (1 - Gamma_t)              docs/math.md (7.2)
// Why residual is the default: docs/math.md section 7 (the Gamma form's Monte
// Carlo error is amplified by up to 1/alpha_bar_t ~ 2.5e4 at t = T).
enum class CEstimate { Residual, Gamma };
CEstimate parse_c_estimate(const std::string& name);  // "residual" or "gamma"
std::string c_estimate_name(CEstimate estimate);

// How C_t is clipped before (7.1). Bounds (the default): into [0, smallest
// upper bound], docs/math.md (7.6). NonNegative: only C_t >= 0; see Note
// [Clipping the residual estimate].
enum class CClip { Bounds, NonNegative };

// Note [Clipping the residual estimate]: the bounds of (7.6) bound the
// posterior variance E Var(x_0 | x_t), i.e. the error of the *optimal* x0_hat.
// The residual form (7.3r) measures the error of the model's own x0_hat,
// which for an imperfect model exceeds them at large t (a 2-D MLP2D trained
// for 600 steps: 518 at t = T against a data variance of 2.4, because x0_hat
// divides eps's error by a_T = 0.006). Clipping it there makes the variance
// too small for the mean the model has: the even-trajectory ELBO loses a
// little, and the trajectory DP, which trusts J(s, t), takes one long jump
// through the clipped region and the ELBO explodes (section (b) of
// docs/analytic-dpm.md). NonNegative keeps the residual estimate as measured.

struct GammaTable {
  int64_t T = 0;                     // length of the schedule it was estimated on
  int64_t samples = 0;               // M, the data points used at every t
  std::vector<int64_t> timesteps;    // the t's estimated, increasing, in 1..T
  std::vector<double> gamma;         // Gamma_t = mean ||eps_theta(x_t, t)||^2 / d          (7.3)
  std::vector<double> residual;      // mean ||eps - eps_theta(x_t, t)||^2 / d              (7.3r)
  std::vector<double> gamma_stderr;  // Monte Carlo standard errors of the two means
  std::vector<double> residual_stderr;
  DataBounds bounds;  // data_var (the bound of (7.6)) and the data range, if any

  // Position of t in `timesteps`, or -1.
  int64_t index_of(int64_t t) const;
  bool has(int64_t t) const { return index_of(t) >= 0; }
  // C_t before clipping, docs/math.md (7.2) or (7.3r). Throws if t was not estimated.
  double c_raw(const Schedule& schedule, int64_t t, CEstimate estimate) const;
  // C_t clipped into [0, smallest upper bound], docs/math.md (7.6) (or only at 0).
  double c(const Schedule& schedule, int64_t t, CEstimate estimate, CClip clip = CClip::Bounds) const;
  // Clipped C_t for t = 0..T (entry 0 unused, 0): what the trajectory DP needs;
  // the table must cover every t.
  std::vector<double> c_all(const Schedule& schedule, CEstimate estimate, CClip clip = CClip::Bounds) const;
};

// progress(done, total): called after each model batch with the number of
// (t, point) pairs evaluated so far.
using ProgressFn = std::function<void(int64_t done, int64_t total)>;

struct GammaEstimateOptions {
  int64_t samples = 1000;     // M points per t (<= 0: all of `data`); a seeded random subset otherwise
  int64_t batch_size = 2000;  // rows per model call; several t's share a batch when M is small
  uint64_t seed = 0;
  std::optional<std::pair<double, double>> range;  // data range for (7.6), e.g. {-1, 1} for images
  // Note [Common noise across t]: true draws one eps per point and reuses it
  // at every t; false gives each (t, point) a fresh eps, as docs/math.md (7.3) and
  // the reference code do. Each C_t is unbiased either way.
  bool common_noise = true;
  ProgressFn progress;
};

// Note [Common noise across t]: the trajectory DP (9.3) picks out every t
// whose C_t happens to be underestimated, so with independent noise per t
// it builds jagged trajectories from lucky draws (on a 2-D mixture with
// M = 2000: 0.17 nats of predicted gain that is not there at K = 100). With
// the same (x_0, eps) pairs at every t the errors of neighbouring C_t are
// nearly equal and the DP compares trajectories on one smooth curve.

// Shapes: data (N, ...) with d values per point.
// For each t of `timesteps` (empty: 1..T), the same M points each get an
// eps ~ N(0, I) (see common_noise), x_t = a_t x_0 + b_t eps (docs/math.md (1.2)), and both means are
// accumulated from eps_theta(x_t, t). Also records the data's average
// per-dimension variance for (7.6). No graph is recorded.
GammaTable estimate_gamma(const EpsModel& model, const Tensor& data, const Schedule& schedule,
                          const std::vector<int64_t>& timesteps = {}, const GammaEstimateOptions& options = {});

// Stored as safetensors (tensors "timesteps" int64, "gamma", "residual",
// "gamma_stderr", "residual_stderr", "data_var", optional "range", float64;
// metadata "T", "samples"). The conventional name beside a checkpoint is
// gamma_table_path(run_dir).
void save_gamma_table(const GammaTable& table, const std::string& path);
GammaTable load_gamma_table(const std::string& path);
std::string gamma_table_path(const std::string& run_dir);

}  // namespace diffusion::analytic
