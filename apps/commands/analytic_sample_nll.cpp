// The optimal-variance parts of `diffuse sample` and `diffuse nll`: the
// K-step trajectory (docs/math.md (1.6), (1.8), (9.3)), the six samplers of
// diffusion/analytic/samplers.h, and the settings of the K-step bound (9.1).
#include <algorithm>

#include "apps/commands/analytic.h"
#include "apps/commands/analytic_files.h"
#include "apps/error.h"
#include "diffusion/timesteps.h"

namespace apps {

namespace analytic = diffusion::analytic;

namespace {

bool is_k_step_sampler(const std::string& name) {
  return name == "ddpm" || name == "ddpm-tilde" || name == "ddim" || is_optimal_variance_sampler(name);
}

analytic::CClip parse_c_clip(const std::string& name) {
  return name == "non-negative" ? analytic::CClip::NonNegative : analytic::CClip::Bounds;
}

// The DP's trajectory (9.3) on the table's C_t, with the same estimate and
// clip the variance uses. For points the decoder's cost joins the first jump
// (Note [Decoder term in the DP]); for 8-bit images it is left off.
std::vector<int64_t> optimal_trajectory_for(const LoadedModel& model, const analytic::GammaTable& table,
                                            const AnalyticFlags& flags, int64_t K, bool images) {
  APPS_CHECK(K >= 2, "--trajectory optimal needs --steps >= 2, got {}", K);
  const std::vector<double> C =
      table.c_all(model.schedule, analytic::parse_c_estimate(flags.c_estimate), parse_c_clip(flags.c_clip));
  return analytic::optimal_trajectory(model.schedule, C, K, images ? -1.0 : C[1]);
}

}  // namespace

bool is_optimal_variance_sampler(const std::string& name) {
  const auto& names = analytic::sampler_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

void check_sample_flags(const SampleOptions& o) {
  APPS_CHECK(o.analytic.trajectory == "even" || is_k_step_sampler(o.sampler),
             "--trajectory {} applies to the K-step samplers (ddpm, ddpm-tilde, ddim, analytic-*, npr-*, sn-*), not "
             "to {}",
             o.analytic.trajectory, o.sampler);
}

void check_nll_flags(const NllOptions& o) {
  const bool elbo = o.method == "elbo";
  APPS_CHECK(elbo || !o.analytic.json, "--json reports the K-step bound: use it with --method elbo");
  APPS_CHECK(elbo || (o.variance == "beta" && o.analytic.trajectory == "even"),
             "--variance and --trajectory apply to --method elbo, not to --method {}", o.method);
}

std::vector<int64_t> sample_timesteps(const LoadedModel& model, const SampleOptions& o) {
  const int64_t T = model.schedule.T;
  APPS_CHECK(o.steps <= T, "--steps {} is more than the schedule's T = {}", o.steps, T);
  if (o.analytic.trajectory == "quadratic") return diffusion::quadratic_timesteps(T, o.steps);
  if (o.analytic.trajectory == "optimal") {
    const auto table = require_gamma_table(o.source, o.analytic.gamma, T, "--trajectory optimal");
    return optimal_trajectory_for(model, *table, o.analytic, o.steps, model.config.data_shape.size() == 3);
  }
  return diffusion::even_timesteps(T, o.steps);
}

tensor::Tensor sample_optimal_variance(const LoadedModel& model, const SampleOptions& o, const tensor::Shape& shape,
                                       const tensor::Tensor& x_T, const diffusion::StepCallback& on_step) {
  const std::string source = o.sampler.substr(0, o.sampler.find('-'));  // analytic | npr | sn
  const bool ddpm_type = o.sampler.ends_with("-ddpm");
  const bool images = model.config.data_shape.size() == 3;

  analytic::SamplerSetup setup;
  setup.schedule = model.schedule;
  setup.timesteps = sample_timesteps(model, o);
  setup.ddim_eta = o.eta;
  setup.images = images;
  // docs/math.md (7.7): y = 2 for the DDPM-type sampler on the linear schedule, 1 otherwise.
  setup.first_jump_y = ddpm_type && model.config.schedule == "linear" ? 2.0 : 1.0;
  std::shared_ptr<const analytic::GammaTable> table;
  CovHead head;
  if (source == "analytic") {
    table = require_gamma_table(o.source, o.analytic.gamma, model.schedule.T, "--sampler " + o.sampler);
    setup.table = table.get();
    setup.c_estimate = analytic::parse_c_estimate(o.analytic.c_estimate);
    setup.c_clip = parse_c_clip(o.analytic.c_clip);
  } else {
    head = require_cov_head(o.source, o.analytic.cov_head, analytic::parse_cov_kind(source), "--sampler " + o.sampler,
                            model);
    setup.head = head.network;
    setup.bounds = head.bounds;
    setup.protocol = analytic::parse_protocol(o.analytic.protocol);
  }
  const analytic::OptimalVarianceSampler sampler = analytic::make_sampler(o.sampler, setup);
  const diffusion::EpsModel eps = model.discrete_eps();
  return x_T.defined() ? sampler.sample(eps, x_T.to(model.device), o.seed, on_step)
                       : sampler.sample(eps, shape, o.seed, tensor::DType::Float32, on_step, model.device);
}

ElboSetup elbo_setup(const LoadedModel& model, const NllOptions& o, bool images) {
  ElboSetup setup;
  analytic::KStepElboOptions& options = setup.options;
  options.variance = analytic::parse_variance_choice(o.variance);
  options.c_estimate = analytic::parse_c_estimate(o.analytic.c_estimate);
  options.c_clip = parse_c_clip(o.analytic.c_clip);
  options.images = images;
  options.protocol = analytic::parse_protocol(o.analytic.protocol);
  options.seed = o.seed;
  options.trajectory_name = o.analytic.trajectory;

  const int64_t T = model.schedule.T;
  const bool needs_table = options.variance == analytic::VarianceChoice::Analytic || o.analytic.trajectory == "optimal";
  if (needs_table) {
    const std::string needed_by =
        options.variance == analytic::VarianceChoice::Analytic ? "--variance analytic" : "--trajectory optimal";
    setup.table = require_gamma_table(o.source, o.analytic.gamma, T, needed_by);
    if (options.variance == analytic::VarianceChoice::Analytic) options.table = setup.table.get();
  }
  if (options.variance == analytic::VarianceChoice::NPR || options.variance == analytic::VarianceChoice::SN) {
    const CovHead head = require_cov_head(o.source, o.analytic.cov_head, analytic::parse_cov_kind(o.variance),
                                          "--variance " + o.variance, model);
    options.head = head.network;
    options.bounds = head.bounds;
  }
  setup.trajectory = o.analytic.trajectory == "optimal"
                         ? optimal_trajectory_for(model, *setup.table, o.analytic, o.steps, images)
                         : diffusion::even_timesteps(T, o.steps);
  return setup;
}

}  // namespace apps
