// The model a sampling command runs (--ckpt DIR or --oracle gmm:FILE.json),
// as the eps-models the samplers speak: one labelled for the discrete
// schedule (label t - 1) and one for an SDE (label 999 t on VP for a discrete
// model, docs/math.md 4.4; a --sde model's own SDE, 4.10).
// Network outputs (eps, x0 or v) are converted to eps here (docs/math.md 2.3-2.4).
#pragma once
#include <memory>
#include <optional>

#include "apps/commands/checkpoint.h"
#include "apps/commands/commands.h"
#include "diffusion/guidance.h"
#include "diffusion/oracle.h"
#include "diffusion/schedule.h"
#include "diffusion/sde.h"

namespace apps {

struct LoadedModel {
  RunConfig config;                               // the oracle's: linear schedule, eps, T = 1000, shape (d)
  std::shared_ptr<nn::TimestepModel> network;     // null for the oracle
  std::optional<diffusion::GaussianMixture> gmm;  // set for the oracle
  diffusion::Schedule schedule;
  tensor::Device device = tensor::Device::CPU;  // where the network's weights live (--device)
  // Guidance towards one class (guided_model.h sets it; docs/math.md 12.1-12.2):
  // every eps-model below is the guided one when guided_class >= 0.
  int64_t guided_class = -1;
  double guidance = 1.0;
  // Classifier guidance (12.2): the classifier's log p(c | x_t) under a kernel;
  // empty for classifier-free guidance (12.1).
  std::function<diffusion::ClassLogProb(const diffusion::KernelFn&)> classifier;

  // eps_theta for the discrete samplers (ddpm, ddim, inversion, ELBO).
  diffusion::EpsModel discrete_eps() const;
  // The same at fractional steps too (log alpha_bar interpolated, diffusion/edm.h): for edm-heun.
  diffusion::EpsModel interpolated_eps() const;
  // eps_theta for the SDE/ODE samplers on `sde`. The returned function
  // refers to sde, which must outlive it.
  diffusion::EpsModel sde_eps(const diffusion::Sde& sde) const;
  // The shape of n samples: (n, 2) or (n, C, H, W).
  tensor::Shape batch_shape(int64_t n) const;
};

// Loads the checkpoint (EMA weights unless no_ema) or the oracle; the
// network is put in evaluation mode on source.device (the oracle runs on the cpu).
LoadedModel load_model(const ModelSourceOptions& source);

}  // namespace apps
