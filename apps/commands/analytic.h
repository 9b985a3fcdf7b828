// Issue #6 on the command line: `diffuse estimate-gamma` and `diffuse
// train-cov` write the files the optimal-variance samplers and bounds read
// (a Gamma table, a covariance head), and the pieces `sample` and `nll` call
// for them. The math is all in diffusion/analytic/; this is files and flags.
#pragma once
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "apps/commands/commands.h"
#include "apps/commands/model_source.h"
#include "diffusion/analytic/analytic.h"
#include "diffusion/sampling.h"

namespace apps {

struct EstimateGammaOptions {
  ModelSourceOptions source;
  std::string data;   // default: the run's --data (the oracle: its mixture)
  int64_t n = 1000;   // M, points per t (docs/math.md (7.3))
  int64_t batch = 0;  // rows per model call (0: 4000 for points, 64 for images)
  uint64_t seed = 0;  // the subset of points and the noise (the oracle: its draws too)
  std::string out;    // default: gamma_table_path(run dir); required with --oracle
};

struct TrainCovOptions {
  ModelSourceOptions source;
  std::string kind = "npr";  // npr (8.1) | sn (8.2)
  std::string data;          // default: the run's --data (the oracle: its mixture)
  int64_t steps = 2000;
  int64_t batch = 0;  // 0: 256 points or 64 images
  double lr = 1e-3;
  double ema = 0;       // > 0: EMA decay (with warm-up) of the head's weights; the head file holds the averages
  bool resume = false;  // continue from the resume file (resume_path_of) up to --steps
  int64_t checkpoint_every = 0;  // write the resume file every this many steps (and after the last)
  int64_t width = 128;           // points: the head's MLP2D hidden width (images: the head is fixed, unet_head.h)
  uint64_t seed = 0;
  std::string out;  // default: cov_head_path(run dir, kind); required with --oracle
};

void run_estimate_gamma(const EstimateGammaOptions& options, std::ostream& out);
void run_train_cov(const TrainCovOptions& options, std::ostream& out);

// ---- What `sample` and `nll` call (analytic_sample_nll.cpp) ----

// The six samplers of diffusion/analytic/samplers.h.
bool is_optimal_variance_sampler(const std::string& name);

// Refuses flag combinations that would be silently ignored (for example
// --trajectory optimal with an SDE sampler, or --json with --method ode).
void check_sample_flags(const SampleOptions& options);
void check_nll_flags(const NllOptions& options);

// tau_1 < ... < tau_K for a K-step sampler: --trajectory even (1.6),
// quadratic (1.8) or optimal (9.3, which reads the Gamma table).
std::vector<int64_t> sample_timesteps(const LoadedModel& model, const SampleOptions& options);

// Draws samples with analytic-ddpm, ..., sn-ddim: from x_T if defined, else
// from noise of `shape`. Loads the Gamma table or the covariance head.
tensor::Tensor sample_optimal_variance(const LoadedModel& model, const SampleOptions& options,
                                       const tensor::Shape& shape, const tensor::Tensor& x_T,
                                       const diffusion::StepCallback& on_step);

// The K-step bound's settings for `nll --method elbo`: the variance with its
// table or head, and the trajectory. options.table points into `table`.
struct ElboSetup {
  diffusion::analytic::KStepElboOptions options;
  std::vector<int64_t> trajectory;
  std::shared_ptr<const diffusion::analytic::GammaTable> table;
};
ElboSetup elbo_setup(const LoadedModel& model, const NllOptions& options, bool images);

}  // namespace apps
