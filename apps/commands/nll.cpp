// `diffuse nll`: the NLL of held-out data in nats/point (2-D) or bits/dim
// (images), with its standard error: the K-step DDPM bound (docs/math.md 2.7,
// 9.1) or the probability-flow ODE's exact likelihood (5.5, 5.8).
#include <cmath>

#include "apps/cli_manners.h"
#include "apps/commands/analytic.h"
#include "apps/commands/commands.h"
#include "apps/commands/model_source.h"
#include "apps/commands/sde_model.h"
#include "apps/data/dataset.h"
#include "apps/error.h"
#include "apps/parallel_job.h"
#include "apps/progress.h"
#include "diffusion/analytic/kstep_elbo.h"
#include "diffusion/likelihood.h"
#include "diffusion/timesteps.h"
#include "nn/distributed.h"
#include "tensor/ops.h"

namespace apps {
namespace {

struct MeanSe {
  double mean, se;
};

MeanSe mean_and_se(const std::vector<double>& v) {
  double sum = 0, sq = 0;
  for (double x : v) sum += x;
  const double mean = sum / v.size();
  for (double x : v) sq += (x - mean) * (x - mean);
  const double var = v.size() > 1 ? sq / (v.size() - 1) : 0;
  return {mean, std::sqrt(var / v.size())};
}

// A NaN or infinite estimate is a failure to report, not a number to print.
void require_finite_nll(double nll, const std::string& method) {
  APPS_CHECK(std::isfinite(nll),
             "the {} estimate of the nll is {} (the model's outputs are not finite: a diverged "
             "or corrupt checkpoint?)",
             method, nll);
}

}  // namespace

void run_nll(const NllOptions& o, std::ostream& all_out) {
  // In an MPI job, rank 0 reports; the ODE on images splits its chunks between the
  // ranks, everything else runs whole on every rank (docs/distributed.md).
  std::ostream& out = root_stream(all_out);
  check_nll_flags(o);
  const LoadedModel model = load_model(o.source);
  // The ODE runs the model's SDE (a discrete one's is VP, linear schedule only); the ELBO needs a discrete model.
  const std::unique_ptr<diffusion::Sde> sde_of_model =
      o.method == "ode" ? model_sde(model.config, "--method ode") : nullptr;
  if (o.method == "elbo") require_discrete(model.config, "--method elbo (the DDPM bound)");
  // 2-D sets are generated: a seed far from any training seed gives fresh points.
  const tensor::Tensor all = load_data(o.data, o.seed + 1000003, o.n);
  const tensor::Shape example(all.shape().begin() + 1, all.shape().end());
  APPS_CHECK(example == model.config.data_shape, "--data {} has examples {}, the model takes {}", o.data,
             tensor::shape_str(example), tensor::shape_str(model.config.data_shape));
  const int64_t n = std::min<int64_t>(o.n, all.size(0));
  if (o.n > n)
    warn(fmt::format("--n {} is more than the {} examples of --data {}; evaluating all {}", o.n, n, o.data, n));
  const tensor::Tensor x = all.narrow(0, 0, n).contiguous().to(model.device);
  const bool images = x.dim() == 4;

  // The oracle knows the true density: its exact NLL is the reference.
  auto print_exact_nll = [&] {
    if (!model.gmm) return;
    const tensor::Tensor log_p =
        diffusion::log_prob(*model.gmm, autograd::Variable(x.to(tensor::DType::Float64))).data();
    std::vector<double> exact;
    for (double v : log_p.to_vector<double>()) exact.push_back(-v);
    const MeanSe e = mean_and_se(exact);
    out << fmt::format("exact nll of the mixture {:.4f} +- {:.4f} nats/point\n", e.mean, e.se);
  };

  if (o.method == "elbo") {
    APPS_CHECK(o.steps >= 2 && o.steps <= model.schedule.T, "--steps {}: the ELBO needs 2 <= K <= T = {}", o.steps,
               model.schedule.T);
    // The variance with its Gamma table or head, and the trajectory: analytic_sample_nll.cpp.
    ElboSetup setup = elbo_setup(model, o, images);
    Progress progress(n, 0, images ? "nll image" : "nll point");
    if (is_root_rank()) progress.print_tenths_unless_drawn();
    setup.options.progress = [&](int64_t done, int64_t) { progress.update(done); };
    const auto elbo =
        diffusion::analytic::kstep_elbo(model.discrete_eps(), x, model.schedule, setup.trajectory, setup.options);
    progress.finish();
    require_finite_nll(elbo.nll, "elbo");
    out << fmt::format("nll <= {:.4f} +- {:.4f} {} over {} {} (elbo, {} steps, variance {})\n", elbo.nll,
                       elbo.std_error, elbo.unit, n, images ? "images" : "points", o.steps, o.variance);
    print_exact_nll();
    if (o.analytic.json) out << elbo.to_json() << "\n";  // the last line, for scripts
    return;
  }

  // The ODE: exact divergence for points (d = 2 vjps), Hutchinson for images.
  const diffusion::Sde& sde = *sde_of_model;
  const diffusion::EpsModel eps = model.sde_eps(sde);
  tensor::Generator gen(o.seed);
  diffusion::LikelihoodOptions options;
  options.divergence = images ? diffusion::Divergence::HutchinsonRademacher : diffusion::Divergence::Exact;

  std::vector<double> values;
  int64_t nfe = 0;
  // Images go in chunks (one ODE per chunk shares its steps); points in one
  // batch (RK45's steps adapt to the whole batch, so it cannot be split).
  // Chunk c draws its dequantization and probe from streams 2c and 2c + 1,
  // whichever rank solves it; an MPI job gives each rank a block of chunks.
  const int64_t chunk = images ? 16 : n;
  const int64_t chunks = (n + chunk - 1) / chunk;
  constexpr uint64_t kStreamsPerChunk = 2;
  const ItemRange mine = images ? my_items(chunks) : ItemRange{0, chunks};
  Progress progress =
      is_root_rank() ? Progress(n, 0, images ? "nll image" : "nll point") : Progress(0, 0, "nll", false);
  if (is_root_rank()) progress.print_tenths_unless_drawn();
  for (int64_t c = mine.begin; c < mine.end; ++c) {
    const int64_t i = c * chunk;
    const tensor::Tensor part = x.narrow(0, i, std::min(chunk, n - i));
    if (images) {
      gen.set_stream(kStreamsPerChunk * static_cast<uint64_t>(c));
      const tensor::Tensor x_int = tensor::clamp(tensor::floor((part + 1.0) * 127.5 + 0.5), 0, 255);
      const auto r = diffusion::ode_bits_per_dim(sde, eps, x_int, gen, options);
      TENSOR_CHECK(gen.stream() == kStreamsPerChunk * static_cast<uint64_t>(c + 1),
                   "[nll] an ODE chunk drew {} random tensors, not {}: update kStreamsPerChunk",
                   gen.stream() - kStreamsPerChunk * c, kStreamsPerChunk);
      for (double v : r.bpd.to_vector<double>()) values.push_back(v);
      nfe += r.nfe;
    } else {
      const auto r = diffusion::ode_log_likelihood(sde, eps, part, gen, options);
      for (double v : r.log_p.to_vector<double>()) values.push_back(-v);
      nfe += r.nfe;
    }
    progress.update(std::min(i + chunk, n));
  }
  progress.finish();
  if (images) {  // every rank's values in chunk order, and the evaluations of all
    values =
        nn::world()
            .gather_rows(tensor::from_vector(values, {static_cast<int64_t>(values.size())}, tensor::DType::Float64))
            .to_vector<double>();
    nfe = static_cast<int64_t>(
        tensor::sum(nn::world().allgather(tensor::scalar(static_cast<double>(nfe), tensor::DType::Float64))).item());
  }
  const MeanSe m = mean_and_se(values);
  require_finite_nll(m.mean, "ode");
  out << fmt::format("nll {:.4f} +- {:.4f} {} over {} {} (ode, {} divergence, {} drift evaluations)\n", m.mean, m.se,
                     images ? "bits/dim" : "nats/point", n, images ? "images" : "points",
                     diffusion::divergence_name(options.divergence), nfe);
  print_exact_nll();
}

}  // namespace apps
