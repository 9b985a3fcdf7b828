// Continuous-time models in the commands (see sde_model.h).
#include "apps/commands/sde_model.h"

#include "apps/error.h"
#include "autograd/grad_mode.h"
#include "diffusion/probability_flow.h"
#include "diffusion/sde_network.h"
#include "nn/module.h"
#include "tensor/ops.h"

namespace apps {

void set_sde_config(const TrainOptions& o, bool images, RunConfig& config) {
  const TrainOptions defaults;
  if (o.sde.empty()) {
    APPS_CHECK(o.sigma_min == defaults.sigma_min && o.sigma_max == defaults.sigma_max,
               "--sigma-min and --sigma-max are for --sde ve (this run trains a discrete DDPM model)");
    return;
  }
  // The SDE fixes the noise at every t and the loss (4.5) trains eps, so the discrete choices do not apply.
  APPS_CHECK(o.schedule == defaults.schedule,
             "--sde {} sets the noise levels itself (docs/math.md 4.3); drop --schedule {}", o.sde, o.schedule);
  APPS_CHECK(o.pred == defaults.pred, "--sde {} trains the eps loss (docs/math.md 4.5); drop --pred {}", o.sde, o.pred);
  APPS_CHECK(o.sde == "ve" || (o.sigma_min == defaults.sigma_min && o.sigma_max == defaults.sigma_max),
             "--sigma-min and --sigma-max are for --sde ve, not --sde {}", o.sde);
  // Its pictures and samplers run on the host only (sample refuses --device for them too).
  APPS_CHECK(o.device == "cpu",
             "--sde trains on the cpu only for now, as the SDE and ODE samplers run; drop --device {}", o.device);
  config.sde = o.sde;
  if (o.sde != "ve") return;
  config.sigma_min = o.sigma_min;
  config.sigma_max = o.sigma_max > 0 ? o.sigma_max : images ? kVeSigmaMaxImages : kVeSigmaMaxPoints;
  APPS_CHECK(config.sigma_min < config.sigma_max, "--sde ve needs --sigma-min {} below --sigma-max {}",
             config.sigma_min, config.sigma_max);
}

std::unique_ptr<diffusion::Sde> model_sde(const RunConfig& config, const std::string& user) {
  if (config.sde == "ve") return std::make_unique<diffusion::VeSde>(config.sigma_min, config.sigma_max);
  if (config.sde == "subvp") return std::make_unique<diffusion::SubVpSde>();
  if (config.sde == "vp") return std::make_unique<diffusion::VpSde>();
  APPS_CHECK(config.schedule == "linear",
             "{} treats the model as the VP SDE, which matches the linear schedule only; this model was trained "
             "with the {} schedule (use a discrete sampler or method, or train with --sde)",
             user, config.schedule);
  return std::make_unique<diffusion::VpSde>();  // beta 0.1..20: the linear schedule with T = 1000 (docs/math.md 4.4)
}

void require_discrete(const RunConfig& config, const std::string& user) {
  APPS_CHECK(config.sde.empty(),
             "{} needs a discrete DDPM model; this one was trained with --sde {} (use --sampler sde-em, pc, "
             "ode-euler, ode-heun or ode-rk45, and nll --method ode)",
             user, config.sde);
}

namespace {

diffusion::EpsModel network_eps(const diffusion::Sde& sde, nn::TimestepModel& net) {
  return diffusion::sde_network_eps(sde, diffusion::as_eps_model(net));
}

}  // namespace

double sde_loss_and_gradient(const diffusion::Sde& sde, nn::TimestepModel& net, const tensor::Tensor& x0,
                             tensor::Generator& gen) {
  net.zero_grad();
  const autograd::Variable loss = diffusion::sde_eps_loss(sde, network_eps(sde, net), x0, gen);
  loss.backward();
  return loss.item();
}

tensor::Tensor sde_picture_samples(const diffusion::Sde& sde, nn::TimestepModel& net, const tensor::Tensor& x_T) {
  autograd::NoGradGuard no_grad;
  const diffusion::EpsModel eps = network_eps(sde, net);
  const diffusion::OdeFn drift = diffusion::probability_flow_fn(sde, eps);
  return diffusion::heun_solve(drift, tensor::mul(x_T, sde.prior_std()), 1.0, sde.t_min(), kPictureSteps).y;
}

}  // namespace apps
