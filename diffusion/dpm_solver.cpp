// DPM-Solver++ multistep (docs/math.md (12.4)-(12.6)): the exact linear part of
// the data-prediction ODE in lambda_hat, and a polynomial (order 0, 1 or 2)
// through the last x0_hat's for the rest. docs/fast-solvers.md derives it.
#include "diffusion/dpm_solver.h"

#include <algorithm>
#include <cmath>
#include <deque>

#include "autograd/grad_mode.h"
#include "diffusion/timesteps.h"
#include "tensor/ops.h"

namespace diffusion {

namespace {

// lambda_hat_t = log(a_t / b_t), half the schedule's log-SNR (docs/math.md section 12).
double lambda_hat(const Schedule& schedule, int64_t t) { return 0.5 * schedule.log_snr.at(t); }

// One evaluated time point: its step, lambda_hat and the model's x0_hat there.
struct Evaluated {
  int64_t t;
  double lambda;
  Tensor x0_hat;
};

// x0_hat(x_t) = (x_t - b_t eps_theta(x_t, t)) / a_t (docs/math.md section 0), clipped when asked.
Tensor data_prediction(const Schedule& schedule, const EpsModel& model, const Tensor& x_t, int64_t t, bool clip) {
  const Tensor eps = predict_eps(model, x_t, t);
  const Tensor x0_hat = (x_t - schedule.b(t) * eps) / schedule.a(t);
  return clip ? tensor::clamp(x0_hat, -1.0, 1.0) : x0_hat;
}

// One step of `order` from x at history.back()'s time to step s. history
// holds the newest evaluations, oldest first; `order` of them are used.
Tensor multistep_update(const Schedule& schedule, const Tensor& x, const std::deque<Evaluated>& history, int64_t s,
                        int order, bool published_d2_weight) {
  const auto n = history.size();
  const Evaluated& prev0 = history[n - 1];
  const double h = lambda_hat(schedule, s) - prev0.lambda;  // h_i > 0: lambda_hat grows towards the data
  const double a_s = schedule.a(s);
  const double phi_1 = std::expm1(-h);
  // The first-order part, docs/math.md (12.4): the DDIM step with eta = 0.
  Tensor x_s = (schedule.b(s) / schedule.b(prev0.t)) * x - (a_s * phi_1) * prev0.x0_hat;
  if (order == 1) return x_s;

  const Evaluated& prev1 = history[n - 2];
  const double r0 = (prev0.lambda - prev1.lambda) / h;
  const Tensor d1_0 = (prev0.x0_hat - prev1.x0_hat) / r0;
  if (order == 2) return x_s - (0.5 * a_s * phi_1) * d1_0;  // docs/math.md (12.5)

  const Evaluated& prev2 = history[n - 3];
  const double r1 = (prev1.lambda - prev2.lambda) / h;
  const Tensor d1_1 = (prev1.x0_hat - prev2.x0_hat) / r1;
  // docs/math.md (12.6): D1 estimates h x0_hat' at this point and D2 estimates h^2 x0_hat'' / 2, both to the
  // order needed. The Taylor term of x0_hat'' is -a phi_3 h^2 x0_hat'' = -2 a phi_3 D2; the published
  // code weighs D2 by 1, which leaves half that term out (Note [The weight of D2] in docs/fast-solvers.md).
  const Tensor d2 = (d1_0 - d1_1) / (r0 + r1);
  const Tensor d1 = d1_0 + r0 * d2;
  const double phi_2 = phi_1 / h + 1.0;
  const double phi_3 = phi_2 / h - 0.5;
  const double d2_weight = published_d2_weight ? 1.0 : 2.0;
  return x_s + (a_s * phi_2) * d1 - (d2_weight * a_s * phi_3) * d2;
}

// Targets rounded to the grid, then pushed apart: up from the bottom so each
// point is above the one below it, then down from the top so none passes T.
// Both passes keep the ends (1 and T) and move a point only as far as needed.
std::vector<int64_t> strictly_increasing(std::vector<int64_t> seq, int64_t T) {
  for (size_t k = 1; k < seq.size(); ++k) seq[k] = std::max(seq[k], seq[k - 1] + 1);
  seq.back() = T;
  for (auto k = static_cast<int64_t>(seq.size()) - 2; k >= 0; --k) seq[k] = std::min(seq[k], seq[k + 1] - 1);
  return seq;
}

}  // namespace

SolverSpacing parse_solver_spacing(const std::string& name) {
  if (name == "logsnr") return SolverSpacing::LogSnr;
  if (name == "time") return SolverSpacing::Time;
  throw tensor::Error("[parse_solver_spacing] unknown spacing '" + name + "' (valid: logsnr, time)");
}

std::vector<int64_t> solver_timesteps(const Schedule& schedule, int64_t K, SolverSpacing spacing) {
  const int64_t T = schedule.T;
  TENSOR_CHECK(K >= 1 && K <= T, "[solver_timesteps] need 1 <= K <= T = {}, got K = {}", T, K);
  if (spacing == SolverSpacing::Time || K == 1) return even_timesteps(T, K);  // docs/math.md (1.6)
  // lambda_hat falls strictly with t (every beta_t > 0), so each target has a
  // nearest step, found by bisection on the grid 1..T.
  const double lambda_lo = lambda_hat(schedule, T);
  const double lambda_hi = lambda_hat(schedule, 1);
  std::vector<int64_t> seq(static_cast<size_t>(K));
  for (int64_t k = 0; k < K; ++k) {
    const double target = lambda_hi + static_cast<double>(k) / static_cast<double>(K - 1) * (lambda_lo - lambda_hi);
    int64_t lo = 1, hi = T;  // lambda_hat(lo) >= target >= lambda_hat(hi)
    while (hi - lo > 1) {
      const int64_t mid = (lo + hi) / 2;
      if (lambda_hat(schedule, mid) >= target) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    const bool lo_is_nearer = lambda_hat(schedule, lo) - target <= target - lambda_hat(schedule, hi);
    seq[static_cast<size_t>(k)] = lo_is_nearer ? lo : hi;
  }
  return strictly_increasing(seq, T);
}

int DpmSolverPlusPlus::step_order(int64_t i) const {
  const auto points = static_cast<int64_t>(timesteps.size());  // M + 1
  int64_t o = std::min<int64_t>(order, i);
  if (lower_order_final && points <= 15) o = std::min(o, points - i);
  return static_cast<int>(std::max<int64_t>(o, 1));
}

Tensor DpmSolverPlusPlus::run(const EpsModel& model, const Tensor& x_T, const StepCallback& on_step) const {
  check_timesteps(timesteps, schedule.T, "DpmSolverPlusPlus");
  TENSOR_CHECK(order >= 1 && order <= 3, "[DpmSolverPlusPlus] order must be 1, 2 or 3, got {}", order);
  autograd::NoGradGuard no_grad;
  std::deque<Evaluated> history;  // the last `order` evaluations: all a step of that order needs
  Tensor x = x_T;
  for (auto k = static_cast<int64_t>(timesteps.size()) - 1; k >= 0; --k) {
    const int64_t t = timesteps[k];
    history.push_back({t, lambda_hat(schedule, t), data_prediction(schedule, model, x, t, clip_x0)});
    if (static_cast<int>(history.size()) > order) history.pop_front();
    if (k == 0) {
      // The last point: the sample is x0_hat(x_{tau_1}), the first-order step to
      // lambda_hat = +inf where a = 1 and b = 0.
      x = history.back().x0_hat;
      if (on_step) on_step(0, x);
      break;
    }
    const int64_t s = timesteps[k - 1];
    const auto i = static_cast<int64_t>(timesteps.size()) - k;  // this is step i, into the i-th point below T
    x = multistep_update(schedule, x, history, s, step_order(i), published_d2_weight);
    if (on_step) on_step(s, x);
  }
  return x;
}

Tensor DpmSolverPlusPlus::sample(const EpsModel& model, const tensor::Shape& shape, uint64_t seed, tensor::DType dtype,
                                 const StepCallback& on_step) const {
  tensor::Generator gen(seed);
  return run(model, tensor::randn(shape, gen, dtype), on_step);
}

}  // namespace diffusion
