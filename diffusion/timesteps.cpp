// Timestep sub-sequences (docs/math.md (1.6)-(1.8)). Each is computed the way the
// reference code computes it, so that step counts in docs and tables mean
// the same steps as in the papers.
#include "diffusion/timesteps.h"

#include <cmath>

#include "tensor/error.h"

namespace diffusion {

int64_t round_half_even(int64_t num, int64_t den) {
  TENSOR_CHECK(num >= 0 && den > 0, "[round_half_even] needs num >= 0 and den > 0, got {} / {}", num, den);
  const int64_t q = num / den;
  const int64_t r = num % den;
  if (2 * r < den) return q;
  if (2 * r > den) return q + 1;
  return q % 2 == 0 ? q : q + 1;  // an exact half: go to the even neighbour (9.4)
}

namespace {
void check_k(int64_t T, int64_t K, const char* op) {
  TENSOR_CHECK(T >= 1 && K >= 1 && K <= T, "[{}] needs 1 <= K <= T, got K = {}, T = {}", op, K, T);
}
}  // namespace

std::vector<int64_t> even_timesteps(int64_t T, int64_t K) {
  check_k(T, K, "even_timesteps");
  if (K == 1) return {T};
  std::vector<int64_t> tau(K);
  for (int64_t k = 1; k <= K; ++k) {
    // docs/math.md (1.6), (9.4): round the whole of 1 + (k-1)(T-1)/(K-1) = ((K-1) + (k-1)(T-1)) / (K-1);
    // the parity of the halves depends on the 1 (T = 1000, K = 25, k = 13: 500.5 -> 500).
    tau[k - 1] = round_half_even((K - 1) + (k - 1) * (T - 1), K - 1);
  }
  return tau;
}

std::vector<int64_t> uniform_timesteps(int64_t T, int64_t K) {
  check_k(T, K, "uniform_timesteps");
  std::vector<int64_t> tau(K);
  for (int64_t k = 1; k <= K; ++k) tau[k - 1] = 1 + (k - 1) * (T / K);  // docs/math.md (1.7)
  return tau;
}

std::vector<int64_t> quadratic_timesteps(int64_t T, int64_t K) {
  check_k(T, K, "quadratic_timesteps");
  if (K == 1) return {1};
  std::vector<int64_t> tau;
  const double top = std::sqrt(0.8 * static_cast<double>(T));
  for (int64_t k = 1; k <= K; ++k) {
    const double root = static_cast<double>(k - 1) * top / static_cast<double>(K - 1);
    const int64_t step = 1 + static_cast<int64_t>(std::floor(root * root));  // docs/math.md (1.8)
    if (tau.empty() || step > tau.back()) tau.push_back(step);  // squares of close roots can repeat
  }
  return tau;
}

std::vector<int64_t> all_timesteps(int64_t T) {
  TENSOR_CHECK(T >= 1, "[all_timesteps] needs T >= 1, got {}", T);
  std::vector<int64_t> tau(T);
  for (int64_t t = 1; t <= T; ++t) tau[t - 1] = t;
  return tau;
}

std::vector<int64_t> make_timesteps(const std::string& name, int64_t T, int64_t K) {
  if (name == "even") return even_timesteps(T, K);
  if (name == "uniform") return uniform_timesteps(T, K);
  if (name == "quadratic") return quadratic_timesteps(T, K);
  throw tensor::Error(fmt::format("[make_timesteps] unknown sub-sequence '{}' (expected even, uniform or quadratic)", name));
}

void check_timesteps(const std::vector<int64_t>& seq, int64_t T, const char* op) {
  TENSOR_CHECK(!seq.empty(), "[{}] the timestep sequence is empty", op);
  for (size_t i = 0; i < seq.size(); ++i) {
    TENSOR_CHECK(seq[i] >= 1 && seq[i] <= T, "[{}] timestep {} is outside 1..{}", op, seq[i], T);
    TENSOR_CHECK(i == 0 || seq[i] > seq[i - 1], "[{}] timesteps must increase strictly: {} then {}", op, seq[i - 1],
                 seq[i]);
  }
}

}  // namespace diffusion
