// What a network trained on a score SDE sees (docs/math.md 4.10): the label
// 999 t for all three SDEs, and for VE its input scaled to about unit
// variance. Training (sde_eps_loss) and every sampler go through the same
// wrapper, so the convention lives here once.
#pragma once
#include "diffusion/model.h"
#include "diffusion/sde.h"

namespace diffusion {

// Note [SDE network conditioning]: the samplers and the loss call an EpsModel
// with the SDE's own label (Note [SDE labels]: 999 t for VP and sub-VP,
// sigma(t) for VE). A network's sinusoidal embedding is made for labels
// spread over 0..999, and sigma(t) in [0.01, 50] crowds the low-noise half
// of VE's range into labels below 0.5; VE's x_t also grows to sigma_max
// times the data's scale. So a network on VE gets
//   input x_t / sqrt(1 + sigma(t)^2)   and   label 999 t = 999 t_of_label(sigma(t)),
// and on VP and sub-VP the call is passed on unchanged (their label is 999 t
// already and their x_t has about unit variance), which keeps a DDPM network
// used as a VP model exactly as before.
//
// Returns `network` wrapped for `sde` (the same function for VP and sub-VP).
// The wrapper holds a pointer to sde, which must outlive it.
EpsModel sde_network_eps(const Sde& sde, EpsModel network);

// The input scale c_in(sigma) = 1 / sqrt(1 + sigma^2) a VE network's x_t is multiplied by.  docs/math.md (4.10)
double ve_input_scale(double sigma);

}  // namespace diffusion
