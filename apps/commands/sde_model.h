// Continuous-time models in the commands (`diffuse train --sde vp|subvp|ve`):
// which SDE a run's config means, the checks that refuse what does not fit
// it, and the loss and pictures of `diffuse train` for such a model. The
// network convention is diffusion/sde_network.h (docs/math.md 4.10).
#pragma once
#include <memory>
#include <string>

#include "apps/commands/checkpoint.h"
#include "apps/commands/commands.h"
#include "autograd/variable.h"
#include "diffusion/sde.h"

namespace apps {

// The default --sigma-max of a VE run: about the largest distance between
// two examples (Song & Ermon 2020's rule), rounded up: 10 for the 2-D sets
// (within about [-4, 4]), 50 for images in [-1, 1] (score-SDE's CIFAR-10 value).
inline constexpr double kVeSigmaMaxPoints = 10.0;
inline constexpr double kVeSigmaMaxImages = 50.0;

// Checks the --sde flags against the rest and writes the SDE into config
// (sde, sigma_min, sigma_max); without --sde, refuses --sigma-* and leaves
// config discrete. `images`: the data are (N, C, H, W).
void set_sde_config(const TrainOptions& o, bool images, RunConfig& config);

// The SDE of a model: its own for a --sde model; VP (4.4) for a discrete one
// on the linear schedule. `user` names what asks ("--sampler pc", "nll
// --method ode") in the refusal for a discrete model on another schedule.
std::unique_ptr<diffusion::Sde> model_sde(const RunConfig& config, const std::string& user);

// Refuses a --sde model where a discrete DDPM one is needed (the discrete
// samplers, DDIM inversion, the ELBO, the optimal variance); `user` names it.
void require_discrete(const RunConfig& config, const std::string& user);

// The loss (4.5) of `net` on batch x0, under Note [SDE network conditioning]:
// leaves its gradient in the parameters' grads (zeroed first) and returns its value.
double sde_loss_and_gradient(const diffusion::Sde& sde, nn::TimestepModel& net, const tensor::Tensor& x0,
                             tensor::Generator& gen);

// The probability-flow ODE's samples (Heun, kPictureSteps steps) from x_1 =
// prior_std * x_T, for the pictures `diffuse train` draws: x_T is the same
// N(0, I) draw a discrete run's DDIM picture starts from.
inline constexpr int kPictureSteps = 50;
tensor::Tensor sde_picture_samples(const diffusion::Sde& sde, nn::TimestepModel& net, const tensor::Tensor& x_T);

}  // namespace apps
