// The reference protocol of the Extended-Analytic-DPM code (Note [Reference
// protocol] in diffusion/analytic/variance.h): x0_hat clipped in every jump
// term of the K-step bound (docs/math.md (9.1)) and a head's C(x_t) clamped to
// [0, 1] for images (section 8), each against a closed form, and the legacy
// behaviour behind Protocol::Legacy.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "diffusion/analytic/cov_head.h"
#include "diffusion/analytic/kstep_elbo.h"
#include "diffusion/schedule.h"
#include "tensor/ops.h"

using namespace diffusion;
using namespace diffusion::analytic;
namespace t = tensor;

namespace {

// Shapes: N = 3 images of 1 x 2 x 2 (d = 4) on the 8-bit grid of [-1, 1].
t::Tensor grid_images() {
  const std::vector<double> levels = {
      1.0,  1.0 - 2.0 / 255, -1.0,     0.2 + 1.0 / 255, 0.5 - 0.1, -0.3 - 1.0 / 255, 0.0 + 1.0 / 255, 1.0, -1.0,
      -1.0, 0.6 + 1.0 / 255, 0.8 - 0.3};
  // Snap to the grid k/127.5 - 1 so the decoder (2.9) sees 8-bit data.
  const t::Tensor raw = t::from_vector(levels, {3, 1, 2, 2}, t::DType::Float64);
  return t::floor((raw + 1.0) * 127.5 + 0.5) / 127.5 - 1.0;
}

// A noise predictor whose x0_hat = (x_t - b_t eps_hat)/a_t is exactly
// `x0_target` at every t and x_t: eps_hat = (x_t - a_t x0_target)/b_t.
EpsModel constant_x0_model(const Schedule& sch, double x0_target) {
  return [sch, x0_target](const Variable& x, const t::Tensor& label) {
    const auto t_step = static_cast<int64_t>(label.to(t::DType::Float64).to_vector<double>().front()) + 1;
    return Variable((x.data() - sch.a(t_step) * x0_target) / sch.b(t_step));
  };
}

// Per point and term of (9.1) in bits/dim: the mean over the 3 images of the
// sum over their 4 values of f(x0), divided by d ln 2.
template <typename F>
double bits_per_dim(const t::Tensor& x0, F f) {
  double total = 0;
  for (double v : x0.to_vector<double>()) total += f(v);
  return total / (3.0 * 4.0 * std::numbers::ln2);
}

double largest(const t::Tensor& x) { return t::amax(x).item(); }
double smallest(const t::Tensor& x) { return -t::amax(-x).item(); }

// A covariance head whose output is `value` everywhere.
class ConstantHead : public nn::TimestepModel {
 public:
  explicit ConstantHead(double value) : value_(value) {}
  Variable forward(const Variable& x, const t::Tensor&) override { return Variable(t::full_like(x.data(), value_)); }

 private:
  double value_;
};

}  // namespace

// x0_hat = 5 everywhere, far outside [-1, 1]. With beta_tilde as the reverse
// variance, v1 = v2 and the KL (2.8) of the jump t -> s is only its mean term,
//   sum_i gamma^2 (x0_i - x0_hat_i)^2 / (2 beta_tilde_{s|t}),
// with x0_hat_i = 1 (clipped, the reference) or 5 (legacy), whatever the noise.
TEST(AnalyticProtocol, ReferenceClipsX0InEveryJumpTerm) {
  const Schedule sch = linear_schedule(100, 1e-3, 0.2);
  const EpsModel model = constant_x0_model(sch, 5.0);
  const t::Tensor x0 = grid_images();
  const std::vector<int64_t> trajectory = {1, 40, 100};
  KStepElboOptions options;
  options.variance = VarianceChoice::BetaTilde;
  options.images = true;
  options.seed = 7;
  const KStepElbo reference = kstep_elbo(model, x0, sch, trajectory, options);
  options.protocol = Protocol::Legacy;
  const KStepElbo legacy = kstep_elbo(model, x0, sch, trajectory, options);
  EXPECT_EQ(reference.protocol, "reference");
  EXPECT_EQ(legacy.protocol, "legacy");

  ASSERT_EQ(reference.terms.size(), 4u);  // prior, 100 -> 40, 40 -> 1, decoder
  ASSERT_EQ(legacy.terms.size(), 4u);
  // The prior KL(N(a_T x0, b_T^2) || N(0, 1)), per value (2.8).
  const double b2 = 1.0 - sch.alpha_bar[100];
  const double prior =
      bits_per_dim(x0, [&](double v) { return 0.5 * (b2 - 1.0 - std::log(b2)) + sch.alpha_bar[100] * v * v / 2.0; });
  EXPECT_EQ(reference.terms[0].kind, "prior");
  EXPECT_NEAR(reference.terms[0].value, prior, 1e-9 * prior);
  for (int k = 1; k <= 2; ++k) {
    const int64_t t_step = trajectory[3 - k], s = trajectory[2 - k];
    EXPECT_EQ(reference.terms[k].kind, "jump");
    EXPECT_EQ(reference.terms[k].t, t_step);
    EXPECT_EQ(reference.terms[k].s, s);
    const double gamma = jump_coefficients(sch, t_step, s, 1.0).gamma;
    const double v1 = sch.beta_tilde_jump(s, t_step);
    const auto jump = [&](double x0_hat) {
      return bits_per_dim(x0, [&](double v) { return gamma * gamma * (v - x0_hat) * (v - x0_hat) / (2.0 * v1); });
    };
    EXPECT_NEAR(reference.terms[k].value, jump(1.0), 1e-6 * jump(1.0)) << "jump " << t_step << " -> " << s;
    EXPECT_NEAR(legacy.terms[k].value, jump(5.0), 1e-6 * jump(5.0)) << "jump " << t_step << " -> " << s;
    EXPECT_LT(reference.terms[k].clamped_low, 0);  // no head: no clamp share reported
  }
  // The decoder is clipped under both protocols: the same term.
  EXPECT_EQ(reference.terms[3].kind, "decoder");
  EXPECT_NEAR(reference.terms[3].value, legacy.terms[3].value, 1e-12);
  double sum = 0;
  for (const ElboTerm& term : reference.terms) sum += term.value;
  EXPECT_NEAR(reference.nll, sum, 1e-9 * sum);
  EXPECT_NE(reference.to_json().find("\"protocol\":\"reference\""), std::string::npos);
  EXPECT_NE(reference.to_json().find("\"kind\":\"jump\""), std::string::npos);

  // Continuous data has no range: neither protocol clips, the two agree.
  options.images = false;
  const KStepElbo points_legacy = kstep_elbo(model, x0, sch, trajectory, options);
  options.protocol = Protocol::Reference;
  const KStepElbo points_reference = kstep_elbo(model, x0, sch, trajectory, options);
  EXPECT_DOUBLE_EQ(points_reference.nll, points_legacy.nll);
}

// A head with h = 3 everywhere: NPR's C = ((1 - alpha_bar_t)/alpha_bar_t) 3
// (8.3) exceeds 1 at t = 60. The reference clamps it to 1 for images; legacy
// to the smallest (7.6) bound, here the data variance 0.1. SN's C (8.4) with
// eps_theta = 2 is 3 - 4 < 0: 0 under both.
TEST(AnalyticProtocol, HeadCovarianceClampOfEachProtocol) {
  const Schedule sch = linear_schedule(100, 1e-3, 0.2);
  const int64_t t_step = 60;
  const double ratio = (1.0 - sch.alpha_bar[t_step]) / sch.alpha_bar[t_step];
  ASSERT_GT(3.0 * ratio, 1.0);
  ConstantHead head(3.0);
  const t::Tensor x_t = t::zeros({2, 1, 2, 2}, t::DType::Float64);
  const t::Tensor eps = t::full_like(x_t, 2.0);
  DataBounds images;
  images.data_var = 0.1;
  images.range = std::make_pair(-1.0, 1.0);

  EXPECT_NEAR(t::mean(head_covariance_unclamped(head, CovKind::NPR, x_t, eps, sch, t_step)).item(), 3.0 * ratio, 1e-12);
  const t::Tensor ref = head_covariance(head, CovKind::NPR, x_t, eps, sch, t_step, images, Protocol::Reference);
  const t::Tensor old = head_covariance(head, CovKind::NPR, x_t, eps, sch, t_step, images, Protocol::Legacy);
  EXPECT_DOUBLE_EQ(largest(ref), 1.0);
  EXPECT_DOUBLE_EQ(smallest(ref), 1.0);
  EXPECT_DOUBLE_EQ(largest(old), 0.1);
  EXPECT_DOUBLE_EQ(smallest(old), 0.1);
  for (Protocol protocol : {Protocol::Reference, Protocol::Legacy}) {
    EXPECT_DOUBLE_EQ(largest(head_covariance(head, CovKind::SN, x_t, eps, sch, t_step, images, protocol)), 0.0);
  }
  // Without a range the reference clamps only at 0.
  DataBounds points;
  points.data_var = 0.1;
  EXPECT_NEAR(smallest(head_covariance(head, CovKind::NPR, x_t, eps, sch, t_step, points, Protocol::Reference)),
              3.0 * ratio, 1e-12);
  EXPECT_EQ(head_c_upper_bound(sch, t_step, images, Protocol::Reference), 1.0);
  EXPECT_THROW(parse_protocol("paper"), t::Error);
}

// The bound's per-term report for a head variance. SN with h = 0 has C < 0
// everywhere (8.4), so every element is clamped up from 0 and the whole jump
// term comes from them; NPR with h = 3 has C > 0 everywhere: none is.
TEST(AnalyticProtocol, ElboReportsTheClampedShareOfEachJump) {
  const Schedule sch = linear_schedule(100, 1e-3, 0.2);
  const EpsModel model = constant_x0_model(sch, 0.5);
  const t::Tensor x0 = grid_images();
  KStepElboOptions options;
  options.images = true;
  options.bounds.range = std::make_pair(-1.0, 1.0);
  options.variance = VarianceChoice::SN;
  options.head = std::make_shared<ConstantHead>(0.0);
  const KStepElbo sn = kstep_elbo(model, x0, sch, {1, 10, 100}, options);
  options.variance = VarianceChoice::NPR;
  options.head = std::make_shared<ConstantHead>(3.0);
  const KStepElbo npr = kstep_elbo(model, x0, sch, {1, 10, 100}, options);
  for (int k = 1; k <= 2; ++k) {
    EXPECT_DOUBLE_EQ(sn.terms[k].clamped_low, 1.0);
    EXPECT_NEAR(sn.terms[k].value_clamped_low, sn.terms[k].value, 1e-12 * sn.terms[k].value);
    EXPECT_GT(sn.terms[k].value, 0.0);
    EXPECT_DOUBLE_EQ(npr.terms[k].clamped_low, 0.0);
    EXPECT_DOUBLE_EQ(npr.terms[k].value_clamped_low, 0.0);
  }
  // From t = 100, NPR's C = 3 (1 - alpha_bar)/alpha_bar exceeds 1: clamped at
  // the top everywhere; from t = 10 it is below 1: nowhere.
  EXPECT_DOUBLE_EQ(npr.terms[1].clamped_high, 1.0);
  ASSERT_LT(3.0 * (1.0 - sch.alpha_bar[10]) / sch.alpha_bar[10], 1.0);
  EXPECT_DOUBLE_EQ(npr.terms[2].clamped_high, 0.0);
  EXPECT_NE(sn.to_json().find("\"value_clamped_low\""), std::string::npos);
}
