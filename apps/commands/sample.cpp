// `diffuse sample` and `diffuse invert`: every sampler of the diffusion
// layer by name. The discrete ones walk a K-step sub-sequence (--trajectory:
// even (docs/math.md 1.6), quadratic (1.8) or optimal (9.3)); the SDE/ODE ones
// run a --sde model on its own SDE and treat a discrete one as a VP-SDE model
// (4.4), which matches the linear schedule only (sde_model.h).
#include <algorithm>
#include <cmath>
#include <vector>

#include "apps/cli_manners.h"
#include "apps/commands/analytic.h"
#include "apps/commands/commands.h"
#include "apps/commands/guided_model.h"
#include "apps/commands/model_source.h"
#include "apps/commands/sde_model.h"
#include "apps/error.h"
#include "apps/io/figures.h"
#include "apps/io/npy.h"
#include "apps/parallel_job.h"
#include "apps/progress.h"
#include "diffusion/ddim.h"
#include "diffusion/ddpm.h"
#include "diffusion/dpm_solver.h"
#include "diffusion/edm.h"
#include "diffusion/predictor_corrector.h"
#include "diffusion/probability_flow.h"
#include "diffusion/timesteps.h"
#include "nn/distributed.h"

namespace apps {
namespace {

const std::vector<std::string> kSamplers = {"ddpm",   "ddpm-tilde", "ddim",      "sde-em",
                                            "pc",     "ode-euler",  "ode-heun",  "ode-rk45",
                                            // the fast ODE solvers (docs/math.md 12.4-12.8)
                                            "dpm-solver++2m", "dpm-solver++3m", "edm-heun",
                                            // the optimal variance (docs/math.md 7-8): analytic_sample_nll.cpp
                                            "analytic-ddpm", "analytic-ddim", "npr-ddpm", "npr-ddim", "sn-ddpm", "sn-ddim"};

// The samplers of the score SDEs (docs/math.md 4-5), the ones a --sde model takes.
bool is_sde_sampler(const std::string& sampler) {
  return sampler == "sde-em" || sampler == "pc" || sampler.rfind("ode-", 0) == 0;
}

std::string join(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& name : names) s += (s.empty() ? "" : ", ") + name;
  return s;
}

bool has_extension(const std::string& path, const std::vector<std::string>& extensions) {
  for (const auto& ext : extensions)
    if (path.size() >= ext.size() && path.compare(path.size() - ext.size(), ext.size(), ext) == 0) return true;
  return false;
}

// x (from a user's .npy) must be a batch of the model's examples.
void check_fits(const tensor::Tensor& x, const LoadedModel& model, const std::string& path) {
  const tensor::Shape expected = model.batch_shape(x.dim() > 0 ? x.size(0) : 0);
  APPS_CHECK(x.shape() == expected, "{}: shape {} does not fit the model, which takes (N, {})", path,
             tensor::shape_str(x.shape()), fmt::join(model.config.data_shape, ", "));
}

// Samples with a NaN or infinity come from a diverged model or sampler: refuse
// them rather than write a file that looks like a result.
void require_finite(const tensor::Tensor& x, const std::string& what) {
  int64_t bad = 0;
  for (double v : x.to(tensor::DType::Float64).to_vector<double>()) bad += !std::isfinite(v);
  APPS_CHECK(bad == 0, "{}: {} of {} values are NaN or infinite (the model or sampler diverged); nothing written", what,
             bad, x.numel());
}

std::vector<int64_t> sub_sequence(const LoadedModel& model, int64_t steps) {
  APPS_CHECK(steps <= model.schedule.T, "--steps {} is more than the schedule's T = {}", steps, model.schedule.T);
  return diffusion::even_timesteps(model.schedule.T, steps);
}

// One sampler run over `shape` (from x_T when given), seeded by o.seed.
struct SampledChunk {
  tensor::Tensor x;
  int64_t nfe;
};
SampledChunk sample_chunk(const LoadedModel& model, const SampleOptions& o, const tensor::Shape& shape,
                          const tensor::Tensor& x_T, bool images, const diffusion::StepCallback& on_step) {
  tensor::Tensor x;
  int64_t nfe = o.steps;

  if (o.sampler == "ddpm" || o.sampler == "ddpm-tilde") {
    diffusion::AncestralSampler sampler{model.schedule, sample_timesteps(model, o),
                                        diffusion::parse_ancestral_variance(o.sampler), images};
    x = x_T.defined()
            ? sampler.sample(model.discrete_eps(), x_T.to(model.device), o.seed, on_step)
            : sampler.sample(model.discrete_eps(), shape, o.seed, tensor::DType::Float32, on_step, model.device);
  } else if (o.sampler == "ddim") {
    diffusion::DdimSampler sampler{model.schedule, sample_timesteps(model, o), o.eta, images};
    x = x_T.defined()
            ? sampler.sample(model.discrete_eps(), x_T.to(model.device), o.seed, on_step)
            : sampler.sample(model.discrete_eps(), shape, o.seed, tensor::DType::Float32, on_step, model.device);
  } else if (o.sampler == "dpm-solver++2m" || o.sampler == "dpm-solver++3m") {
    APPS_CHECK(o.steps <= model.schedule.T, "--steps {} is more than the schedule's T = {}", o.steps, model.schedule.T);
    // log-SNR spacing, one evaluation per time point: NFE = --steps exactly.
    const diffusion::DpmSolverPlusPlus solver{
        model.schedule, diffusion::solver_timesteps(model.schedule, o.steps, diffusion::SolverSpacing::LogSnr),
        o.sampler == "dpm-solver++3m" ? 3 : 2, images};
    x = x_T.defined() ? solver.run(model.discrete_eps(), x_T, on_step)
                      : solver.sample(model.discrete_eps(), shape, o.seed, tensor::DType::Float32, on_step);
    nfe = solver.nfe();
  } else if (o.sampler == "edm-heun") {
    // The most Heun points whose 2N - 1 evaluations fit --steps, at interpolated (fractional) labels.
    diffusion::EdmHeunSampler sampler{model.schedule, diffusion::EdmHeunSampler::points_for_nfe(o.steps)};
    sampler.clip_x0 = images;  // as DDIM and DPM-Solver++ above
    x = x_T.defined() ? sampler.run(model.interpolated_eps(), x_T, on_step)
                      : sampler.sample(model.interpolated_eps(), shape, o.seed, tensor::DType::Float32, on_step);
    nfe = sampler.nfe();
  } else if (is_optimal_variance_sampler(o.sampler)) {
    x = sample_optimal_variance(model, o, shape, x_T, on_step);
  } else {
    APPS_CHECK(model.device == tensor::Device::CPU, "--sampler {} runs on the cpu only; use --device cpu", o.sampler);
    const std::unique_ptr<diffusion::Sde> sde_of_model = model_sde(model.config, "sampler " + o.sampler);
    const diffusion::Sde& sde = *sde_of_model;
    const diffusion::EpsModel eps = model.sde_eps(sde);
    tensor::Generator gen(o.seed);
    if (o.sampler == "sde-em" || o.sampler == "pc") {
      APPS_CHECK(!x_T.defined(), "--x-T is not supported by {} (it draws its own prior sample)", o.sampler);
      const diffusion::EulerMaruyamaPredictor euler(sde, eps);
      const diffusion::ReverseDiffusionPredictor reverse(sde, eps);
      const diffusion::LangevinCorrector corrector(sde, eps, static_cast<int>(o.steps), o.snr,
                                                   static_cast<int>(o.corrector_steps));
      const bool pc = o.sampler == "pc";
      const auto result =
          diffusion::sample_sde(sde, eps, pc ? static_cast<const diffusion::Predictor&>(reverse) : euler,
                                pc ? &corrector : nullptr, static_cast<int>(o.steps), shape, gen);
      x = result.x;
      nfe = result.nfe;
    } else {
      const diffusion::OdeSolver solver = o.sampler == "ode-euler"  ? diffusion::OdeSolver::Euler
                                          : o.sampler == "ode-heun" ? diffusion::OdeSolver::Heun
                                                                    : diffusion::OdeSolver::Rk45;
      if (x_T.defined()) {
        // The solvers of ode.h from the given x_1, as sample_ode does from its own draw.
        const diffusion::OdeFn F = diffusion::probability_flow_fn(sde, eps);
        const int steps = static_cast<int>(o.steps);
        const diffusion::OdeResult r =
            solver == diffusion::OdeSolver::Euler  ? diffusion::euler_solve(F, x_T, 1.0, sde.t_min(), steps)
            : solver == diffusion::OdeSolver::Heun ? diffusion::heun_solve(F, x_T, 1.0, sde.t_min(), steps)
                                                   : diffusion::rk45_solve(F, x_T, 1.0, sde.t_min());
        x = r.y;
        nfe = r.nfe;
      } else {
        const auto result = diffusion::sample_ode(sde, eps, solver, static_cast<int>(o.steps), shape, gen);
        x = result.x;
        nfe = result.nfe;
      }
    }
  }
  return {x, nfe};
}

}  // namespace

void run_sample(const SampleOptions& o, std::ostream& all_out) {
  std::ostream& out = root_stream(all_out);  // in an MPI job, rank 0 reports and writes the file
  APPS_CHECK(std::find(kSamplers.begin(), kSamplers.end(), o.sampler) != kSamplers.end(),
             "unknown sampler '{}' (valid: {})", o.sampler, join(kSamplers));
  APPS_CHECK(has_extension(o.out, {".png", ".npy"}), "--out {}: write samples as .png or .npy", o.out);
  check_sample_flags(o);
  check_writable(o.out, "--out");  // before the sampling, not after it
  LoadedModel model = load_model(o.source);
  if (!is_sde_sampler(o.sampler)) require_discrete(model.config, "--sampler " + o.sampler);
  APPS_CHECK(model.config.sde.empty() || o.guidance.class_index < 0,
             "--class: guidance is for discrete and oracle models; this one was trained with --sde {}", model.config.sde);
  apply_guidance(model, o.guidance);
  const bool images = model.config.data_shape.size() == 3;

  tensor::Tensor x_T;
  if (!o.x_T.empty()) {
    x_T = read_npy(o.x_T);
    check_fits(x_T, model, o.x_T);
  }
  const tensor::Shape shape = x_T.defined() ? x_T.shape() : model.batch_shape(o.n);
  const int64_t n = shape[0];
  // Note [Sampling in chunks]: a U-Net on 1000 images at once is slower per
  // image than on 128 (its im2col buffers outgrow the caches: 12 against 7 ms
  // per image and step on one core), so images go through the sampler in
  // chunks of --batch rows; chunk i draws its noise from seed + i. Points go
  // in one batch unless --batch says otherwise.
  const int64_t chunk = o.batch > 0 ? o.batch : images ? 128 : n;
  const int64_t chunks = (n + chunk - 1) / chunk;
  // In an MPI job each rank samples a block of the chunks (all of them alone):
  // chunk i is the same whoever samples it, so the file is the same too.
  const ItemRange mine = my_items(chunks);
  if (chunks < nn::world().size() && is_root_rank())
    warn(fmt::format("{} chunk{} for {} processes: some have nothing to do (--batch sets the rows per chunk)", chunks,
                     chunks == 1 ? "" : "s", nn::world().size()));

  Progress progress = is_root_rank() ? Progress(o.steps * (mine.end - mine.begin), 0, "sampling step")
                                     : Progress(0, 0, "sampling step", false);
  if (is_root_rank()) progress.print_tenths_unless_drawn();
  int64_t done = 0;
  auto on_step = [&](int64_t, const tensor::Tensor&) { progress.update(++done); };
  int64_t nfe = 0;
  tensor::Shape none = shape;
  none[0] = 0;
  std::vector<tensor::Tensor> parts = {tensor::Tensor::empty(none)};  // a rank without chunks sends no rows
  for (int64_t i = mine.begin; i < mine.end; ++i) {
    const int64_t rows = std::min(chunk, n - i * chunk);
    SampleOptions oc = o;
    oc.seed = o.seed + static_cast<uint64_t>(i);
    tensor::Shape chunk_shape = shape;
    chunk_shape[0] = rows;
    const tensor::Tensor x_T_chunk = x_T.defined() ? x_T.narrow(0, i * chunk, rows).contiguous() : tensor::Tensor();
    const SampledChunk part = sample_chunk(model, oc, chunk_shape, x_T_chunk, images, on_step);
    parts.push_back(part.x.to(tensor::Device::CPU));
    nfe += part.nfe;
  }
  const tensor::Tensor x = nn::world().gather_rows(tensor::cat(parts, 0));
  nfe = static_cast<int64_t>(
      tensor::sum(nn::world().allgather(tensor::scalar(static_cast<double>(nfe), tensor::DType::Float64))).item());
  progress.finish();
  require_finite(x, fmt::format("sample --sampler {}", o.sampler));
  // ode-rk45 picks its own steps: its title counts model evaluations instead.
  const std::string title = o.sampler == "ode-rk45"
                                ? fmt::format("{}: ode-rk45, {} evaluations", model.config.data, nfe)
                                : fmt::format("{}: {}, {} steps", model.config.data, o.sampler, o.steps);
  const std::string guided = guidance_caption(o.guidance);
  if (is_root_rank()) write_samples(o.out, x.to(tensor::Device::CPU), title + guided, o.scale);
  out << fmt::format("wrote {} samples to {} ({}{}, {} model evaluations", n, o.out, o.sampler, guided, nfe);
  if (chunks > 1) out << fmt::format(" in {} chunks of {}", chunks, chunk);
  out << ")\n";
}

void run_invert(const InvertOptions& o, std::ostream& out) {
  APPS_CHECK(has_extension(o.out, {".npy"}), "--out {}: inversion writes x_T as .npy", o.out);
  check_writable(o.out, "--out");
  const LoadedModel model = load_model(o.source);
  require_discrete(model.config, "invert (DDIM inversion)");
  const tensor::Tensor x0 = read_npy(o.in).to(model.device);
  check_fits(x0, model, o.in);
  const diffusion::DdimSampler sampler{model.schedule, sub_sequence(model, o.steps), 0.0, false};
  Progress progress(o.steps, 0, "inversion step");
  progress.print_tenths_unless_drawn();
  int64_t done = 0;
  const tensor::Tensor x_T =
      sampler.invert(model.discrete_eps(), x0, [&](int64_t, const tensor::Tensor&) { progress.update(++done); });
  progress.finish();
  require_finite(x_T, "invert");
  write_npy(o.out, x_T.to(tensor::Device::CPU));
  out << fmt::format("wrote x_T of {} examples to {} (DDIM inversion, {} steps)\n", x0.size(0), o.out, o.steps);
}

}  // namespace apps
