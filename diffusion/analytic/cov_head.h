// Extended-Analytic-DPM (docs/math.md section 8): a covariance head h_phi(x_t, t)
// trained beside a frozen eps network, by NPR (8.1) or SN (8.2), and the
// diagonal C(x_t) it gives (8.3)/(8.4), clipped elementwise (7.6). The
// samplers that use it are samplers.h. A head is any nn::TimestepModel of
// (x_t, label) with x_t's shape out: an MLP for points, a second output head
// on the U-Net's last feature map for images.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "diffusion/analytic/gamma_table.h"
#include "diffusion/analytic/variance.h"
#include "diffusion/model.h"
#include "diffusion/schedule.h"
#include "nn/checkpoint.h"
#include "nn/models/mlp2d.h"
#include "nn/models/unet_head.h"
#include "nn/module.h"

namespace diffusion::analytic {

// NPR: h regresses the squared noise-prediction residual (eps - eps_theta)^2 (8.1).
// SN:  h regresses the squared noise eps^2 (8.2).
enum class CovKind { NPR, SN };
CovKind parse_cov_kind(const std::string& name);  // "npr" or "sn"
std::string cov_kind_name(CovKind kind);

// The 2-D (any d, flat points) head: an MLP2D with d outputs, on (x_t, t)
// alone. The reference puts its head on the U-Net's last feature map; a toy
// MLP is cheap enough to learn its own features.
std::shared_ptr<nn::MLP2D> make_cov_head_mlp(int64_t d, tensor::Generator& gen, int64_t width = 128,
                                             int64_t hidden_layers = 3);

// The image head, as in the reference code: GroupNorm -> SiLU -> zero-init
// 3x3 conv on the trained U-Net's last feature map, one output per pixel and
// channel. The trunk stays frozen (its weights are not the head's), and a
// head call right after the eps call on the same x_t reuses the trunk pass.
std::shared_ptr<nn::UNetHead> make_cov_head_unet(std::shared_ptr<nn::UNet> trunk, tensor::Generator& gen);

struct CovHeadTrainOptions {
  int64_t steps = 2000;      // the step to stop at (a resumed run continues up to it)
  int64_t batch_size = 256;  // the reference recipe: 128
  double lr = 1e-3;          // the reference recipe: 1e-4
  // > 0: an EMA of the head's weights (nn::EMA with warm-up; the reference
  // recipe: 0.9999), written into the head when training ends.
  double ema_decay = 0;
  uint64_t seed = 0;
  ProgressFn progress;  // progress(step, steps) after each step
  // Resuming: every `checkpoint_every` steps and after the last one, `checkpoint`
  // gets the state (Adam's moments, the EMA, the generator's stream and the
  // step) while the head still holds its live weights; the caller saves both
  // (nn::save_checkpoint(path, head, state)). `resume`, from nn::load_checkpoint
  // of such a file into the head, continues exactly where it stopped.
  int64_t checkpoint_every = 0;
  std::function<void(const nn::Checkpoint& state)> checkpoint;
  const nn::Checkpoint* resume = nullptr;
};

// Trains `head` (Adam) with `eps_model` frozen (called without a graph):
// t ~ Uniform{1..T}, x_0 from `data` (N, ...), eps ~ N(0, I), x_t by (1.2),
// loss = mean (h_phi(x_t, t) - target)^2 with target (8.1) or (8.2).
// Returns the mean loss over those of the last 10% of steps that this call ran
// (NaN if it ran none of them). Every step draws from the generator's next
// streams only, so a resumed run gives the weights of an uninterrupted one.
double train_cov_head(nn::TimestepModel& head, CovKind kind, const EpsModel& eps_model, const Tensor& data,
                      const Schedule& schedule, const CovHeadTrainOptions& options = {});

// C(x_t) per element before any clamp, x_t's shape and dtype, docs/math.md
// (8.3) (NPR) or (8.4) (SN, which needs eps = eps_theta(x_t, t)). No graph is recorded.
Tensor head_covariance_unclamped(nn::TimestepModel& head, CovKind kind, const Tensor& x_t, const Tensor& eps,
                                 const Schedule& schedule, int64_t t);

// The upper end of the per-element clamp of C(x_t) at step t (Note [Reference
// protocol] in variance.h): Reference: ((hi - lo)/2)^2 of the data range (1
// for images), +infinity without one; Legacy: c_upper_bound(t) (7.6).
double head_c_upper_bound(const Schedule& schedule, int64_t t, const DataBounds& bounds, Protocol protocol);

// head_covariance_unclamped clamped per element into [0, head_c_upper_bound]
// (docs/math.md section 8).
Tensor head_covariance(nn::TimestepModel& head, CovKind kind, const Tensor& x_t, const Tensor& eps,
                       const Schedule& schedule, int64_t t, const DataBounds& bounds,
                       Protocol protocol = Protocol::Reference);

}  // namespace diffusion::analytic
