// The epsilon loss (docs/math.md (2.2)) and the training loop. The loss is always
// computed against the true noise eps; a network that predicts x_0 or v is
// converted to eps first (2.3)-(2.4), and the weighting says, in eps units,
// which of the usual losses this is.
#include "diffusion/training.h"

#include <algorithm>

#include "autograd/ops.h"
#include "nn/optim/clip_grad.h"
#include "tensor/ops.h"

namespace diffusion {

namespace t = tensor;
namespace ag = autograd;

LossWeighting parse_loss_weighting(const std::string& name) {
  if (name == "eps") return LossWeighting::Eps;
  if (name == "x0") return LossWeighting::X0;
  if (name == "v") return LossWeighting::V;
  if (name == "min-snr") return LossWeighting::MinSnr;
  throw t::Error(fmt::format("[parse_loss_weighting] unknown weighting '{}' (expected eps, x0, v or min-snr)", name));
}

double loss_weight(LossWeighting weighting, double alpha_bar_t, double min_snr_gamma) {
  const double inv_snr = (1.0 - alpha_bar_t) / alpha_bar_t;  // 1 / SNR_t, docs/math.md section 0
  switch (weighting) {
    case LossWeighting::Eps:
      return 1.0;
    case LossWeighting::X0:
      return inv_snr;
    case LossWeighting::V:
      return 1.0 + inv_snr;
    case LossWeighting::MinSnr:  // docs/math.md (12.9): min(SNR, gamma) / SNR
      return std::min(1.0, min_snr_gamma * inv_snr);
  }
  return 1.0;
}

LossNoise draw_loss_noise(const Schedule& schedule, const Tensor& x0, t::Generator& gen) {
  LossNoise noise;
  noise.steps = t::randint(1, schedule.T + 1, {x0.size(0)}, gen, x0.device());  // t ~ Uniform{1..T}, int64
  noise.eps = t::randn_like(x0, gen);
  return noise;
}

Variable diffusion_loss(nn::TimestepModel& model, const Schedule& schedule, const Tensor& x0, t::Generator& gen,
                        const LossOptions& options, const Tensor& classes) {
  TENSOR_CHECK(x0.dim() >= 2 && x0.size(0) >= 1, "[diffusion_loss] x0 must be a batch (N, ...), got {}",
               t::shape_str(x0.shape()));
  return diffusion_loss(model, schedule, x0, draw_loss_noise(schedule, x0, gen), options, classes);
}

Variable diffusion_loss(nn::TimestepModel& model, const Schedule& schedule, const Tensor& x0, const LossNoise& noise,
                        const LossOptions& options, const Tensor& classes) {
  TENSOR_CHECK(x0.dim() >= 2 && x0.size(0) >= 1, "[diffusion_loss] x0 must be a batch (N, ...), got {}",
               t::shape_str(x0.shape()));
  TENSOR_CHECK(noise.steps.dim() == 1 && noise.steps.size(0) == x0.size(0) && noise.eps.shape() == x0.shape(),
               "[diffusion_loss] noise t {} and eps {} do not fit the batch {}", t::shape_str(noise.steps.shape()),
               t::shape_str(noise.eps.shape()), t::shape_str(x0.shape()));
  TENSOR_CHECK(!classes.defined() || (classes.dim() == 1 && classes.size(0) == x0.size(0)),
               "[diffusion_loss] classes {} do not fit the batch {}", t::shape_str(classes.shape()),
               t::shape_str(x0.shape()));
  const Tensor& steps = noise.steps;
  const Tensor& eps = noise.eps;
  // Everything is made on x0's device: the steps, each sample's coefficients
  // (index_select on the schedule's tables) and the labels never visit the host.
  const ScheduleTables tables = schedule_tables(schedule, x0.device());
  std::vector<double> weight_of_t(schedule.T + 1);
  for (int64_t s = 0; s <= schedule.T; ++s)
    weight_of_t[s] = loss_weight(options.weighting, schedule.alpha_bar[s], options.min_snr_gamma);
  const Tensor weight_table = t::from_vector(weight_of_t, {schedule.T + 1}, t::DType::Float64, x0.device());
  const Tensor a_t = t::index_select(tables.a, 0, steps);
  const Tensor b_t = t::index_select(tables.b, 0, steps);
  const Tensor label = t::add(steps.to(t::DType::Float32), -1.0);  // the network's label t - 1 (model.h)
  // docs/math.md (1.2): x_t = a_t x_0 + b_t eps
  const Tensor x_t = per_sample(a_t, x0.dim(), x0.dtype()) * x0 + per_sample(b_t, x0.dim(), x0.dtype()) * eps;
  const Variable x_t_var(x_t);
  const Variable output =
      classes.defined() ? model.forward_class(x_t_var, label, classes) : model.forward(x_t_var, label);
  const Variable eps_hat = eps_from_output(output, x_t_var, a_t, b_t, options.prediction);  // (2.3)-(2.4)
  // docs/math.md (2.2): mean over dims of the squared error, weighted per sample, mean over the batch.
  std::vector<int64_t> data_dims;
  for (int64_t d = 1; d < x0.dim(); ++d) data_dims.push_back(d);
  const Variable per_sample_mse = ag::mean(ag::square(Variable(eps) - eps_hat), data_dims);  // (N,)
  const Variable weights(t::index_select(weight_table, 0, steps).to(x0.dtype()));
  return ag::mean(weights * per_sample_mse);
}

Tensor drop_classes(const Tensor& classes, int64_t num_classes, double p, t::Generator& gen) {
  TENSOR_CHECK(classes.defined() && classes.dtype() == t::DType::Int64 && classes.dim() == 1,
               "[drop_classes] classes must be Int64 (N,)");
  TENSOR_CHECK(p >= 0.0 && p <= 1.0, "[drop_classes] p must be in [0, 1], got {}", p);
  const std::vector<double> u = t::rand({classes.size(0)}, gen, t::DType::Float64).to_vector<double>();
  std::vector<int64_t> kept = classes.to(t::Device::CPU).to_vector<int64_t>();
  for (size_t i = 0; i < kept.size(); ++i)
    if (u[i] < p) kept[i] = num_classes;  // the null class
  return t::from_vector(kept, {classes.size(0)}, t::DType::Int64, classes.device());
}

Trainer::Trainer(nn::TimestepModel& model, Schedule schedule, nn::Optimizer& optimizer, DataSource data,
                 TrainerOptions options, nn::EMA* ema)
    : model_(model),
      schedule_(std::move(schedule)),
      optimizer_(optimizer),
      data_(std::move(data)),
      options_(options),
      ema_(ema),
      data_gen_(generator_for(options.seed, RandomUse::DataOrder)),
      noise_gen_(generator_for(options.seed, RandomUse::TrainingNoise)) {
  TENSOR_CHECK(data_ != nullptr, "[Trainer] needs a data source");
}

double Trainer::step() {
  model_.train();
  const Tensor x0 = data_(data_gen_);
  optimizer_.zero_grad();
  const Variable loss = diffusion_loss(model_, schedule_, x0, noise_gen_, options_.loss);
  loss.backward();
  if (options_.grad_clip > 0.0) nn::clip_grad_norm(model_.parameters(), options_.grad_clip);
  optimizer_.step();
  if (ema_ != nullptr) ema_->update(model_);
  ++steps_done_;
  return loss.item();
}

std::vector<double> Trainer::train(int64_t steps) {
  std::vector<double> losses;
  losses.reserve(steps);
  for (int64_t i = 0; i < steps; ++i) losses.push_back(step());
  return losses;
}

}  // namespace diffusion
