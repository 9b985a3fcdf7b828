// Training the NPR / SN covariance head (docs/math.md (8.1), (8.2)) and reading
// C(x_t) from it (8.3), (8.4) with the clip of (7.6).
#include "diffusion/analytic/cov_head.h"

#include <algorithm>
#include <limits>
#include <optional>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "diffusion/prediction.h"
#include "diffusion/sampling.h"
#include "nn/optim/adam.h"
#include "nn/optim/ema.h"
#include "nn/strict_number.h"
#include "tensor/ops.h"
#include "tensor/random.h"

namespace diffusion::analytic {

namespace t = tensor;
namespace ag = autograd;

CovKind parse_cov_kind(const std::string& name) {
  if (name == "npr") return CovKind::NPR;
  if (name == "sn") return CovKind::SN;
  throw t::Error(fmt::format("[parse_cov_kind] unknown head '{}' (expected npr or sn)", name));
}

std::string cov_kind_name(CovKind kind) { return kind == CovKind::NPR ? "npr" : "sn"; }

std::shared_ptr<nn::MLP2D> make_cov_head_mlp(int64_t d, t::Generator& gen, int64_t width, int64_t hidden_layers) {
  nn::MLP2DConfig config;
  config.data_dim = d;
  config.width = width;
  config.hidden_layers = hidden_layers;
  return std::make_shared<nn::MLP2D>(config, gen);
}

std::shared_ptr<nn::UNetHead> make_cov_head_unet(std::shared_ptr<nn::UNet> trunk, t::Generator& gen) {
  TENSOR_CHECK(trunk != nullptr, "[make_cov_head_unet] needs the trained U-Net");
  nn::UNetHeadConfig config;
  config.out_channels = trunk->config().in_channels;
  config.groups = trunk->config().groups;
  return std::make_shared<nn::UNetHead>(std::move(trunk), config, gen);
}

double train_cov_head(nn::TimestepModel& head, CovKind kind, const EpsModel& eps_model, const Tensor& data,
                      const Schedule& schedule, const CovHeadTrainOptions& options) {
  TENSOR_CHECK(data.defined() && data.dim() >= 2, "[train_cov_head] data must be (N, ...), got {}",
               t::shape_str(data.shape()));
  TENSOR_CHECK(options.steps > 0 && options.batch_size > 0,
               "[train_cov_head] steps ({}) and batch_size ({}) must be positive", options.steps, options.batch_size);
  head.train();
  nn::AdamOptions adam;
  adam.lr = options.lr;
  nn::Adam optimizer(head.named_parameters(), adam);
  std::optional<nn::EMA> ema;
  if (options.ema_decay > 0) ema.emplace(head, options.ema_decay, /*warmup=*/true);
  t::Generator gen(options.seed);
  int64_t start = 0;
  if (options.resume != nullptr) {
    const nn::Checkpoint& state = *options.resume;
    nn::restore_optimizer_state(state, optimizer);
    if (ema) nn::restore_ema_state(state, *ema);
    const auto meta = [&](const std::string& key) {
      const auto it = state.metadata.find(key);
      TENSOR_CHECK(it != state.metadata.end(), "[train_cov_head] the resume state has no metadata '{}'", key);
      return it->second;
    };
    start = nn::parse_int64(meta("head_step"), "[train_cov_head] resume metadata 'head_step'", 0);
    gen.set_stream(nn::parse_uint64(meta("stream"), "[train_cov_head] resume metadata 'stream'"));
  }
  const auto save_state = [&](int64_t step) {
    if (!options.checkpoint) return;
    nn::Checkpoint state;
    nn::put_optimizer_state(state, optimizer);
    if (ema) nn::put_ema_state(state, *ema);
    state.metadata["head_step"] = std::to_string(step);
    state.metadata["stream"] = std::to_string(gen.stream());
    options.checkpoint(state);
  };

  // Per-step a_t, b_t as float64 tensors indexed by t, on the data's device.
  const ScheduleTables tables = schedule_tables(schedule, data.device());

  const int64_t B = options.batch_size;
  const int64_t tail_from = options.steps - std::max<int64_t>(1, options.steps / 10);
  double tail_loss = 0;
  int64_t tail_steps = 0;
  for (int64_t step = start; step < options.steps; ++step) {
    const Tensor index = t::randint(0, data.size(0), {B}, gen, data.device());
    const Tensor x0 = t::index_select(data, 0, index);
    const Tensor t_step = t::randint(1, schedule.T + 1, {B}, gen, data.device());  // t ~ Uniform{1..T}
    const Tensor label = (t_step.to(t::DType::Float64) - 1.0).to(t::DType::Float32);
    const Tensor a = per_sample(t::index_select(tables.a, 0, t_step), x0.dim(), x0.dtype());
    const Tensor b = per_sample(t::index_select(tables.b, 0, t_step), x0.dim(), x0.dtype());
    const Tensor eps = t::randn_like(x0, gen);
    const Tensor x_t = a * x0 + b * eps;  // docs/math.md (1.2)

    Tensor target;
    if (kind == CovKind::NPR) {
      // The eps network is frozen: stopgrad of (8.1). Called before the head
      // on the same x_t, so a U-Net head reuses this trunk pass.
      ag::NoGradGuard no_grad;
      const Tensor eps_hat = eps_model(Variable(x_t), label).data();
      target = t::square(eps - eps_hat);  // docs/math.md (8.1)
    } else {
      target = t::square(eps);  // docs/math.md (8.2)
    }

    optimizer.zero_grad();
    const Variable h = head(Variable(x_t), label);
    const Variable loss = ag::mean(ag::square(h - Variable(target)));
    loss.backward();
    optimizer.step();
    if (ema) ema->update(head);
    if (step >= tail_from) {
      tail_loss += loss.item();
      ++tail_steps;
    }
    if (options.progress) options.progress(step + 1, options.steps);
    const bool last = step + 1 == options.steps;
    if (last || (options.checkpoint_every > 0 && (step + 1) % options.checkpoint_every == 0)) save_state(step + 1);
  }
  if (ema) ema->copy_to(head);  // the averaged weights are the head's result
  head.eval();
  return tail_steps > 0 ? tail_loss / static_cast<double>(tail_steps) : std::numeric_limits<double>::quiet_NaN();
}

Tensor head_covariance_unclamped(nn::TimestepModel& head, CovKind kind, const Tensor& x_t, const Tensor& eps,
                                 const Schedule& schedule, int64_t t_step) {
  ag::NoGradGuard no_grad;
  const Tensor h = head(Variable(x_t), step_label(x_t.size(0), t_step)).data();
  const double alpha_bar_t = schedule.alpha_bar.at(t_step);
  const double noise_to_signal = (1.0 - alpha_bar_t) / alpha_bar_t;
  if (kind == CovKind::NPR) return noise_to_signal * h;  // docs/math.md (8.3)
  TENSOR_CHECK(eps.defined() && eps.shape() == x_t.shape(), "[head_covariance] SN needs eps_theta(x_t) of x_t's shape");
  return noise_to_signal * (h - t::square(eps));  // docs/math.md (8.4)
}

double head_c_upper_bound(const Schedule& schedule, int64_t t_step, const DataBounds& bounds, Protocol protocol) {
  if (protocol == Protocol::Legacy) return c_upper_bound(schedule, t_step, bounds);  // docs/math.md (7.6)
  if (!bounds.range) return std::numeric_limits<double>::infinity();
  const double half = (bounds.range->second - bounds.range->first) / 2.0;
  return half * half;  // docs/math.md section 8: [0, 1] for images
}

Tensor head_covariance(nn::TimestepModel& head, CovKind kind, const Tensor& x_t, const Tensor& eps,
                       const Schedule& schedule, int64_t t_step, const DataBounds& bounds, Protocol protocol) {
  const Tensor C = head_covariance_unclamped(head, kind, x_t, eps, schedule, t_step);
  return t::clamp(C, 0.0, head_c_upper_bound(schedule, t_step, bounds, protocol));
}

}  // namespace diffusion::analytic
