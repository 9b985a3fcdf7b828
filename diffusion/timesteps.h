// Timestep sub-sequences tau_1 < ... < tau_K of {1..T} for K-step sampling
// (docs/math.md (1.6)-(1.8)). A sampler walks one backwards, jumping
// tau_k -> tau_{k-1} and finally tau_1 -> 0. The optimal (dynamic
// programming) trajectory of section 9 lives elsewhere.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace diffusion {

// Python's round() on the exact rational num / den (num >= 0, den > 0):
// nearest integer, halves to the even neighbour (docs/math.md (9.4)). Integer
// arithmetic, so an exact half is recognised exactly.
int64_t round_half_even(int64_t num, int64_t den);

// Even (Analytic-DPM's code): tau_k = round(1 + (k-1)(T-1)/(K-1)), tau_1 = 1, tau_K = T
// (docs/math.md (1.6)); K = 1 gives {T}. Needs 1 <= K <= T.
std::vector<int64_t> even_timesteps(int64_t T, int64_t K);
// Uniform / "leading" (DDIM's code): tau_k = 1 + (k-1) floor(T/K) (docs/math.md (1.7)).
std::vector<int64_t> uniform_timesteps(int64_t T, int64_t K);
// Quadratic (DDIM's code): tau_k = 1 + floor(((k-1) sqrt(0.8 T)/(K-1))^2), duplicates
// removed, so it may hold fewer than K steps when K is close to T (docs/math.md (1.8)).
std::vector<int64_t> quadratic_timesteps(int64_t T, int64_t K);
// All steps 1..T (the full ancestral chain).
std::vector<int64_t> all_timesteps(int64_t T);
// By name: "even", "uniform" or "quadratic".
std::vector<int64_t> make_timesteps(const std::string& name, int64_t T, int64_t K);

// Throws unless seq is strictly increasing within 1..T (names `op` in the error).
void check_timesteps(const std::vector<int64_t>& seq, int64_t T, const char* op);

}  // namespace diffusion
