// Dynamic programming over trajectories, docs/math.md (9.2)-(9.3).
#include "diffusion/analytic/trajectory.h"

#include <cmath>
#include <limits>

#include "diffusion/analytic/variance.h"
#include "diffusion/timesteps.h"
#include "tensor/error.h"

namespace diffusion::analytic {

double jump_cost(const Schedule& schedule, int64_t s, int64_t t, double C_t) {
  // docs/math.md (9.2): J = log(sigma*^2 / lambda^2) with lambda^2 = beta_tilde_{s|t} (eta = 1)
  const double sigma2 = optimal_sigma2(schedule, t, s, 1.0, C_t);
  return std::log(sigma2 / schedule.beta_tilde_jump(s, t));
}

double decoder_cost(const Schedule& schedule, int64_t tau_2, double decoder_c1) {
  if (decoder_c1 < 0) return 0.0;
  // Note [Decoder term in the DP]: E -log N(x_0; x0_hat, v I) = (d/2)(log 2 pi + log v + C_1 / v)
  const double v = schedule.beta_tilde_jump(1, tau_2);
  return std::log(v) + decoder_c1 / v;
}

std::vector<int64_t> optimal_trajectory(const Schedule& schedule, const std::vector<double>& C, int64_t K,
                                        double decoder_c1) {
  const int64_t T = schedule.T;
  TENSOR_CHECK(static_cast<int64_t>(C.size()) == T + 1, "[optimal_trajectory] C must have T + 1 = {} entries, has {}",
               T + 1, C.size());
  TENSOR_CHECK(K >= 2 && K <= T, "[optimal_trajectory] need 2 <= K <= T = {}, got K = {}", T, K);
  if (K == T) return all_timesteps(T);

  // J(s, t) for 1 <= s < t <= T, row-major by t: cost[t * (T + 1) + s].
  std::vector<double> cost((T + 1) * (T + 1), 0.0);
  for (int64_t t = 2; t <= T; ++t) {
    for (int64_t s = 1; s < t; ++s) cost[t * (T + 1) + s] = jump_cost(schedule, s, t, C[t]);
    cost[t * (T + 1) + 1] += decoder_cost(schedule, t, decoder_c1);  // only the first jump starts at s = 1
  }

  // docs/math.md (9.3): best[k][t] = min over s < t of best[k-1][s] + J(s, t);
  // best[1][1] = 0 (tau_1 = 1). Only the last row of costs is needed; the
  // argmins are kept for every k to backtrack.
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> prev(T + 1, inf), next(T + 1, inf);
  prev[1] = 0.0;
  std::vector<std::vector<int32_t>> argmin(K + 1, std::vector<int32_t>(T + 1, -1));
  for (int64_t k = 2; k <= K; ++k) {
    std::fill(next.begin(), next.end(), inf);
    // tau_k >= k, and the remaining K - k steps need T - tau_k >= K - k.
    for (int64_t t = k; t <= T - (K - k); ++t) {
      const double* row = &cost[t * (T + 1)];
      double best = inf;
      int32_t best_s = -1;
      for (int64_t s = k - 1; s < t; ++s) {
        const double c = prev[s] + row[s];
        if (c < best) {
          best = c;
          best_s = static_cast<int32_t>(s);
        }
      }
      next[t] = best;
      argmin[k][t] = best_s;
    }
    std::swap(prev, next);
  }

  std::vector<int64_t> trajectory(K);
  int64_t t = T;
  for (int64_t k = K; k >= 1; --k) {
    trajectory[k - 1] = t;
    if (k > 1) t = argmin[k][t];
  }
  TENSOR_ASSERT(trajectory.front() == 1);
  return trajectory;
}

double trajectory_cost(const Schedule& schedule, const std::vector<double>& C, const std::vector<int64_t>& trajectory,
                       double decoder_c1) {
  check_timesteps(trajectory, schedule.T, "trajectory_cost");
  TENSOR_CHECK(trajectory.size() >= 2 && trajectory.front() == 1, "[trajectory_cost] the trajectory must start at 1");
  double total = decoder_cost(schedule, trajectory[1], decoder_c1);
  for (size_t k = 1; k < trajectory.size(); ++k) {
    total += jump_cost(schedule, trajectory[k - 1], trajectory[k], C.at(trajectory[k]));
  }
  return total;
}

}  // namespace diffusion::analytic
