// Training a denoiser (docs/math.md section 2): the epsilon loss (2.2), with the
// network predicting eps, x_0 or v (2.3)-(2.4) and the loss weighted in
// epsilon units, and a small seeded Trainer loop around it. Sampling is
// ddpm.h / ddim.h; the continuous-time (SDE) loss is sde.h.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "diffusion/prediction.h"
#include "diffusion/random_streams.h"
#include "diffusion/schedule.h"
#include "nn/module.h"
#include "nn/optim/ema.h"
#include "nn/optim/optimizer.h"
#include "tensor/random.h"

namespace diffusion {

// Shapes: N batch, then the data's dims; d = elements per sample.
//
// The weight w_t of the epsilon-MSE, stated in epsilon units (docs/math.md section 2):
// at fixed (x_t, t), x0-MSE = eps-MSE / SNR_t and v-MSE = (1 + 1/SNR_t) eps-MSE, so
//   Eps: w = 1 (L_simple), X0: w = 1/SNR_t, V: w = 1 + 1/SNR_t,
//   MinSnr: w = min(SNR_t, gamma) / SNR_t (docs/math.md (12.9)), whatever the prediction.
// With prediction X0 and weighting X0 the loss is the plain x0-MSE; V with V the v-MSE.
enum class LossWeighting { Eps, X0, V, MinSnr };
LossWeighting parse_loss_weighting(const std::string& name);  // "eps", "x0", "v" or "min-snr"
double loss_weight(LossWeighting weighting, double alpha_bar_t, double min_snr_gamma = 5.0);

struct LossOptions {
  Prediction prediction = Prediction::Eps;  // what the network outputs
  LossWeighting weighting = LossWeighting::Eps;
  double min_snr_gamma = 5.0;  // MinSnr: the SNR above which a step's weight falls (12.9)
};

// The loss's randomness for a batch x0 (N, ...): t ~ Uniform{1..T} (N,) as int64,
// then eps ~ N(0, I) like x0, two streams of gen. Row n of each depends only on
// (seed, stream, n), so a slice of a batch's draws is what that slice's rows get
// in the whole batch (diffusion/data_parallel.h relies on it).
struct LossNoise {
  Tensor steps;  // t, in 1..T
  Tensor eps;
};
LossNoise draw_loss_noise(const Schedule& schedule, const Tensor& x0, tensor::Generator& gen);

// docs/math.md (2.2): t ~ Uniform{1..T}, eps ~ N(0, I), x_t = a_t x_0 + b_t eps; the
// network sees (x_t, t - 1); its output is converted to eps_hat (2.3)-(2.4); the
// loss is mean_n w_t ||eps - eps_hat||^2 / d. All randomness comes from gen
// (draw_loss_noise), or is given. With `classes` (Int64 (N,), Note
// [Class-conditional models] in nn/module.h) the network sees (x_t, t - 1, c):
// the class-conditional loss of docs/math.md section 12.
Variable diffusion_loss(nn::TimestepModel& model, const Schedule& schedule, const Tensor& x0, tensor::Generator& gen,
                        const LossOptions& options = {}, const Tensor& classes = Tensor());
Variable diffusion_loss(nn::TimestepModel& model, const Schedule& schedule, const Tensor& x0, const LossNoise& noise,
                        const LossOptions& options = {}, const Tensor& classes = Tensor());

// Label dropout (docs/math.md section 12): each class replaced by the null
// class `num_classes` with probability p, by one uniform draw per label from gen.
Tensor drop_classes(const Tensor& classes, int64_t num_classes, double p, tensor::Generator& gen);

// A data source: one batch x_0 (N, ...) per call, drawn from gen.
using DataSource = std::function<Tensor(tensor::Generator& gen)>;

struct TrainerOptions {
  LossOptions loss;
  uint64_t seed = 0;       // the data and the loss draws, on streams of their own (Note [Random streams])
  double grad_clip = 0.0;  // clip the global gradient norm to this (0: off)
};

// One optimizer step per call: batch from `data`, loss, backward, optional
// clipping, optimizer step, EMA update. Same seed, same initial weights ->
// the same losses and weights bit for bit. Holds references: the model,
// optimizer and EMA must outlive it.
class Trainer {
 public:
  Trainer(nn::TimestepModel& model, Schedule schedule, nn::Optimizer& optimizer, DataSource data,
          TrainerOptions options = {}, nn::EMA* ema = nullptr);
  double step();                             // returns the batch loss
  std::vector<double> train(int64_t steps);  // the loss of every step
  int64_t steps_done() const { return steps_done_; }
  tensor::Generator& data_generator() { return data_gen_; }    // what `data` draws from
  tensor::Generator& noise_generator() { return noise_gen_; }  // the loss's t and eps

 private:
  nn::TimestepModel& model_;
  Schedule schedule_;
  nn::Optimizer& optimizer_;
  DataSource data_;
  TrainerOptions options_;
  nn::EMA* ema_;
  tensor::Generator data_gen_;
  tensor::Generator noise_gen_;
  int64_t steps_done_ = 0;
};

}  // namespace diffusion
