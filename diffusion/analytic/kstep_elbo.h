// The K-step ELBO of a DDPM-type reverse process on a trajectory (docs/math.md
// (9.1)) for the variance choices beta, beta-tilde, analytic (7.4), npr and
// sn (section 8): nats per point (continuous data) or bits/dim (8-bit
// images), with its standard error over the data points.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "diffusion/analytic/cov_head.h"
#include "diffusion/analytic/gamma_table.h"
#include "diffusion/model.h"
#include "diffusion/schedule.h"

namespace diffusion::analytic {

// The reverse variance of each jump s < t:
//   Beta: beta_{t|s};  BetaTilde: beta_tilde_{s|t}  (2.6 with 1.9)
//   Analytic: sigma*^2 of (7.4) with the table's clipped C_t
//   NPR / SN: beta_tilde_{s|t} + gamma^2 C(x_t) per element, C from the head (8.3)/(8.4)
enum class VarianceChoice { Beta, BetaTilde, Analytic, NPR, SN };
VarianceChoice parse_variance_choice(const std::string& name);  // "beta", "beta-tilde", "analytic", "npr", "sn"
std::string variance_choice_name(VarianceChoice choice);

struct KStepElboOptions {
  VarianceChoice variance = VarianceChoice::Analytic;
  const GammaTable* table = nullptr;  // Analytic: covers every t of the trajectory
  CEstimate c_estimate = CEstimate::Residual;
  CClip c_clip = CClip::Bounds;             // Analytic: Note [Clipping the residual estimate]
  std::shared_ptr<nn::TimestepModel> head;  // NPR / SN: a trained head of that kind
  DataBounds bounds;                        // NPR / SN clip (7.6); table->bounds when a table is given
  bool images = false;                      // data scaled from 8 bits to [-1, 1]: discretized decoder (2.9), bits/dim
  // Reference: with images, x0_hat is clipped to [-1, 1] in every jump term's
  // mean, and a head's C(x_t) is clamped to [0, 1]; Legacy: clipped in the
  // decoder only, C(x_t) clamped by (7.6). Note [Reference protocol] in variance.h.
  Protocol protocol = Protocol::Reference;
  std::string trajectory_name = "even";  // only reported
  int64_t batch_size = 1000;
  uint64_t seed = 0;    // the eps of every term (one fresh eps per term and point)
  ProgressFn progress;  // progress(points done, points)
};

// One term of (9.1), averaged over the points, in the bound's unit: the prior
// (t = T, s = -1), a jump t -> s, or the decoder (t = 1, s = 0). For the NPR /
// SN variances a jump also records the share of C(x_t)'s elements the clamp
// moved: up from below 0, down from above head_c_upper_bound, and how much of
// the term the elements moved up from below 0 contribute (-1 otherwise).
struct ElboTerm {
  std::string kind;  // "prior", "jump" or "decoder"
  int64_t t = 0;
  int64_t s = 0;
  double value = 0;
  double clamped_low = -1;
  double clamped_high = -1;
  double value_clamped_low = -1;  // the part of `value` from the elements clamped up from below 0
};

struct KStepElbo {
  double nll = 0;               // mean over points of the negative ELBO (an upper bound on -log p)
  double std_error = 0;         // its standard error over the data points
  std::string unit;             // "nats/point" or "bits/dim"
  int64_t steps = 0;            // K
  std::string variance;         // variance_choice_name
  std::string c_estimate;       // "residual" / "gamma" for analytic, "" otherwise; "+unclipped" with CClip::NonNegative
  std::string trajectory_name;  // "even", "optimal", ...
  std::vector<int64_t> trajectory;
  std::string protocol;         // protocol_name
  Tensor per_point;             // (N,) float64, in `unit`
  std::vector<ElboTerm> terms;  // prior, the jumps from t = T down, decoder; values sum to nll
  // {"nll", "stderr", "unit", "steps", "variance", "c_estimate", "protocol", "trajectory_name", "trajectory": [...],
  //  "terms": [{"kind", "t", "s", "value"[, "clamped_low", "clamped_high", "value_clamped_low"]}, ...]}
  std::string to_json() const;
};

// Shapes: data (N, ...) with d values per point. For each point, docs/math.md (9.1):
//   KL(N(a_T x_0, b_T^2 I) || N(0, I))                            (exact)
//   + sum_{k=2..K} KL(q(x_{tau_{k-1}} | x_{tau_k}, x_0) || p(x_{tau_{k-1}} | x_{tau_k}))
//   - log p(x_0 | x_1),
// each KL (2.8) at one fresh x_{tau_k} = a x_0 + b eps; p's mean is (3.3)
// with lambda^2 = beta_tilde (the DDPM posterior mean at x0_hat). The decoder
// has mean x0_hat(x_1) (clipped to [-1, 1] for images; in the jump terms too
// under Protocol::Reference) and variance
// beta_tilde_{1|tau_2} for every variance choice. trajectory: 1 = tau_1 < ... < tau_K = T, K >= 2.
KStepElbo kstep_elbo(const EpsModel& model, const Tensor& data, const Schedule& schedule,
                     const std::vector<int64_t>& trajectory, const KStepElboOptions& options = {});

}  // namespace diffusion::analytic
