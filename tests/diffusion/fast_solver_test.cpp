// The fast ODE samplers (docs/math.md section 12): DPM-Solver++ 2M/3M and EDM's
// Heun, against DDIM (3.2), on the exact oracle of section 10. All of them
// approximate one map x_T -> x_0 (Note [One map for every ODE sampler] in
// flow_reference.h): for a single Gaussian it has a closed form, for a
// mixture a tight Runge-Kutta solve in log sigma is the reference.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <string>

#include "diffusion/ddim.h"
#include "diffusion/dpm_solver.h"
#include "diffusion/edm.h"
#include "diffusion/flow_reference.h"
#include "diffusion/oracle.h"
#include "diffusion/timesteps.h"
#include "tensor/ops.h"
#include "tensor/random.h"

using namespace diffusion;
namespace t = tensor;

namespace {

// Shapes: N = kPoints points in d = 2; x_T and every output are (N, 2) float64.
constexpr int64_t kPoints = 64;

const Schedule& schedule() {
  static const Schedule s = linear_schedule(1000);
  return s;
}

t::Tensor noise(uint64_t seed) {
  t::Generator gen(seed);
  return t::randn({kPoints, 2}, gen, t::DType::Float64);
}

GaussianMixture single_gaussian() { return make_gaussian_mixture({{0.5, -0.3}}, {0.5}, {1.0}); }
GaussianMixture three_components() {
  return make_gaussian_mixture({{-1.5, 0.0}, {1.5, 0.5}, {0.0, 1.8}}, {0.15, 0.1, 0.2}, {0.5, 0.3, 0.2});
}

const std::vector<std::string> kSolvers = {"ddim", "dpm-solver++2m", "dpm-solver++3m", "edm-heun"};

struct Solved {
  t::Tensor x;
  int64_t nfe;
};

// One deterministic solve from x_T with a budget of `nfe` evaluations.
Solved solve(const std::string& name, const GaussianMixture& gmm, const t::Tensor& x_T, int64_t nfe) {
  const Schedule& sch = schedule();
  const EpsModel discrete = gmm_eps_model(gmm, ddpm_kernel(sch));  // refuses fractional labels
  if (name == "ddim") return {DdimSampler{sch, even_timesteps(sch.T, nfe), 0.0, false}.sample(discrete, x_T, 0), nfe};
  if (name == "edm-heun") {
    const EdmHeunSampler edm{sch, EdmHeunSampler::points_for_nfe(nfe)};
    return {edm.run(gmm_eps_model(gmm, interpolated_ddpm_kernel(sch)), x_T), edm.nfe()};
  }
  const DpmSolverPlusPlus dpm{sch, solver_timesteps(sch, nfe, SolverSpacing::LogSnr), name == "dpm-solver++3m" ? 3 : 2};
  return {dpm.run(discrete, x_T), dpm.nfe()};
}

double rms(const t::Tensor& a, const t::Tensor& b) {
  const std::vector<double> x = a.to_vector<double>(), y = b.to_vector<double>();
  double sum = 0;
  for (size_t i = 0; i < x.size(); ++i) sum += (x[i] - y[i]) * (x[i] - y[i]);
  return std::sqrt(sum / static_cast<double>(x.size()));
}

// The least-squares slope of log(error) against log(NFE): -order for a solver of that order.
double log_log_slope(const std::vector<double>& nfe, const std::vector<double>& err) {
  double mx = 0, my = 0;
  for (size_t i = 0; i < nfe.size(); ++i) mx += std::log(nfe[i]) / nfe.size(), my += std::log(err[i]) / nfe.size();
  double sxy = 0, sxx = 0;
  for (size_t i = 0; i < nfe.size(); ++i) {
    sxy += (std::log(nfe[i]) - mx) * (std::log(err[i]) - my);
    sxx += (std::log(nfe[i]) - mx) * (std::log(nfe[i]) - mx);
  }
  return sxy / sxx;
}

// Errors at each budget, per solver, printed as a table.
std::map<std::string, std::vector<double>> error_table(const GaussianMixture& gmm, const t::Tensor& x_T,
                                                       const t::Tensor& reference, const std::vector<int64_t>& budgets,
                                                       std::map<std::string, std::vector<double>>* nfes) {
  std::map<std::string, std::vector<double>> errors;
  for (const auto& name : kSolvers) {
    std::printf("  %-15s", name.c_str());
    for (const int64_t budget : budgets) {
      const Solved s = solve(name, gmm, x_T, budget);
      errors[name].push_back(rms(s.x, reference));
      (*nfes)[name].push_back(static_cast<double>(s.nfe));
      std::printf("  NFE %3lld: %.3e", static_cast<long long>(s.nfe), errors[name].back());
    }
    std::printf("   slope %.2f\n", log_log_slope((*nfes)[name], errors[name]));
  }
  return errors;
}

}  // namespace

// Note [Which NFE the order tests use]: on the log-SNR grid of a T = 1000
// schedule, lambda_hat spans 9.7, so NFE 10 means steps of h = 1.1, too coarse
// for any order to show (there 2M beats 3M and, on the mixture, DDIM beats
// both). From NFE 120 on, errors reach a floor of 1e-5 to 5e-5: the points near
// t = 1 are whole steps whose own gaps in lambda_hat (0.4, 0.25, ...) no NFE
// refines. Between, at NFE 20-60, each solver's slope shows (the table of
// docs/fast-solvers.md, made by examples/fast_solvers_figure.cpp).
TEST(FastSolvers, SingleGaussianErrorFallsAtTheSolversOrder) {
  const GaussianMixture gmm = single_gaussian();
  const t::Tensor x_T = noise(1);
  const t::Tensor reference = single_gaussian_flow_map(gmm, schedule(), x_T);
  std::map<std::string, std::vector<double>> nfe;
  const auto errors = error_table(gmm, x_T, reference, {20, 30, 40, 60}, &nfe);
  const std::map<std::string, double> order = {
      {"ddim", 1.0}, {"dpm-solver++2m", 2.0}, {"dpm-solver++3m", 3.0}, {"edm-heun", 2.0}};
  for (const auto& name : kSolvers)
    EXPECT_LT(log_log_slope(nfe[name], errors.at(name)), -(order.at(name) - 0.5)) << name;
  for (size_t i = 0; i < errors.at("ddim").size(); ++i) {
    EXPECT_LT(errors.at("dpm-solver++3m")[i], errors.at("dpm-solver++2m")[i]) << "NFE " << nfe["ddim"][i];
    EXPECT_LT(errors.at("dpm-solver++2m")[i], errors.at("ddim")[i]) << "NFE " << nfe["ddim"][i];
  }
  // The published weight of D2 (docs/math.md (12.6)) leaves half the x0_hat'' term out: its slope stays
  // near 2, at least one order shallower than ours. This is what the 3M slope bound above guards.
  std::vector<double> published;
  for (const double budget : nfe["ddim"]) {
    DpmSolverPlusPlus dpm{schedule(), solver_timesteps(schedule(), static_cast<int64_t>(budget), SolverSpacing::LogSnr),
                          3};
    dpm.published_d2_weight = true;
    published.push_back(rms(dpm.run(gmm_eps_model(gmm, ddpm_kernel(schedule())), x_T), reference));
  }
  const double published_slope = log_log_slope(nfe["ddim"], published);
  std::printf("  3M with the published D2 weight: slope %.2f\n", published_slope);
  EXPECT_GT(published_slope, log_log_slope(nfe["dpm-solver++3m"], errors.at("dpm-solver++3m")) + 1.0);
  EXPECT_GT(published_slope, -2.5);
}

TEST(FastSolvers, MixtureErrorAgainstRk45) {
  // Three narrow components: further from the asymptotic regime than one Gaussian (Note [Which NFE
  // the order tests use]), so only the ranking at equal NFE is asserted.
  const GaussianMixture gmm = three_components();
  const t::Tensor x_T = noise(2);
  const t::Tensor reference = oracle_flow_map(gmm, schedule(), x_T);
  std::map<std::string, std::vector<double>> nfe;
  const auto errors = error_table(gmm, x_T, reference, {20, 40, 80}, &nfe);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_LT(errors.at("dpm-solver++3m")[i], errors.at("dpm-solver++2m")[i]) << "NFE " << nfe["ddim"][i];
    EXPECT_LT(errors.at("dpm-solver++2m")[i], errors.at("ddim")[i]) << "NFE " << nfe["ddim"][i];
    if (i > 0) {
      EXPECT_LT(errors.at("edm-heun")[i], errors.at("ddim")[i]) << "NFE " << nfe["ddim"][i];
    }
  }
}

TEST(FastSolvers, ClosedFormAndRk45ReferencesAgree) {
  // The two references check each other: they share only the oracle's eps.
  const GaussianMixture gmm = single_gaussian();
  const t::Tensor x_T = noise(6);
  const double gap = rms(oracle_flow_map(gmm, schedule(), x_T), single_gaussian_flow_map(gmm, schedule(), x_T));
  std::printf("  closed form vs RK45: rms %.2e\n", gap);
  EXPECT_LT(gap, 1e-8);
  EXPECT_THROW(single_gaussian_flow_map(three_components(), schedule(), x_T), t::Error);
}

TEST(FastSolvers, FirstOrderDpmSolverIsDdim) {
  // docs/math.md (12.4) is DDIM's eta = 0 step (3.2) written in lambda_hat: the two must agree to rounding.
  const GaussianMixture gmm = three_components();
  const EpsModel eps = gmm_eps_model(gmm, ddpm_kernel(schedule()));
  const std::vector<int64_t> steps = solver_timesteps(schedule(), 12, SolverSpacing::LogSnr);
  const t::Tensor x_T = noise(3);
  const t::Tensor ddim = DdimSampler{schedule(), steps, 0.0, false}.sample(eps, x_T, 0);
  const t::Tensor dpm = DpmSolverPlusPlus{schedule(), steps, 1}.run(eps, x_T);
  EXPECT_LT(rms(ddim, dpm), 1e-12);
  // ... and the second-order solver is not (the test above could not pass by accident).
  EXPECT_GT(rms(ddim, DpmSolverPlusPlus{schedule(), steps, 2}.run(eps, x_T)), 1e-4);
}

TEST(FastSolvers, NfeIsCountedExactly) {
  const GaussianMixture gmm = three_components();
  int64_t calls = 0;
  auto counted = [&calls](EpsModel inner) {
    return EpsModel([&calls, inner](const Variable& x, const t::Tensor& label) {
      ++calls;
      return inner(x, label);
    });
  };
  const EpsModel discrete = counted(gmm_eps_model(gmm, ddpm_kernel(schedule())));
  const EpsModel fractional = counted(gmm_eps_model(gmm, interpolated_ddpm_kernel(schedule())));
  const t::Tensor x_T = noise(4);
  for (const int64_t K : {1, 2, 3, 7, 16, 23, 100}) {
    for (const int order : {2, 3}) {
      const DpmSolverPlusPlus dpm{schedule(), solver_timesteps(schedule(), K, SolverSpacing::LogSnr), order};
      calls = 0;
      dpm.run(discrete, x_T);
      EXPECT_EQ(calls, K) << "order " << order;
      EXPECT_EQ(dpm.nfe(), K);
    }
  }
  for (const int64_t budget : {1, 2, 9, 10, 39}) {
    const EdmHeunSampler edm{schedule(), EdmHeunSampler::points_for_nfe(budget)};
    calls = 0;
    edm.run(fractional, x_T);
    EXPECT_EQ(calls, edm.nfe());
    EXPECT_EQ(edm.nfe(), budget % 2 == 1 ? budget : budget - 1) << "budget " << budget;
  }
  // Nearest labels: whole steps only (ddpm_kernel throws on any other), repeats dropped and not counted.
  const EdmHeunSampler nearest{schedule(), 200, 7.0, EdmLabels::Nearest};
  calls = 0;
  nearest.run(discrete, x_T);
  EXPECT_EQ(calls, nearest.nfe());
  EXPECT_LT(nearest.nfe(), 2 * 200 - 1);  // sigma^(1/7)-spacing at N = 200 puts several points on one step near t = 1
}

TEST(FastSolvers, SameSeedSameSamples) {
  const GaussianMixture gmm = three_components();
  const EpsModel discrete = gmm_eps_model(gmm, ddpm_kernel(schedule()));
  const EpsModel fractional = gmm_eps_model(gmm, interpolated_ddpm_kernel(schedule()));
  const DpmSolverPlusPlus dpm{schedule(), solver_timesteps(schedule(), 10, SolverSpacing::LogSnr), 3};
  const EdmHeunSampler edm{schedule(), 5};
  for (const bool is_edm : {false, true}) {
    auto draw = [&](uint64_t seed) {
      return is_edm ? edm.sample(fractional, {kPoints, 2}, seed) : dpm.sample(discrete, {kPoints, 2}, seed);
    };
    EXPECT_EQ(draw(5).to_vector<float>(), draw(5).to_vector<float>()) << (is_edm ? "edm" : "dpm");
    EXPECT_NE(draw(5).to_vector<float>(), draw(6).to_vector<float>()) << (is_edm ? "edm" : "dpm");
  }
}

// clip_x0: EDM's last step lands on D(x; sigma_min), so with the clip every
// sample lies in [-1, 1]; a mixture with a component at 3 puts unclipped
// samples outside it. Clipping is the same thing DPM-Solver++ does.
TEST(FastSolvers, EdmClipKeepsSamplesInRangeLikeDpmSolver) {
  const GaussianMixture far = make_gaussian_mixture({{3.0, -3.0}}, {0.2}, {1.0});
  const EpsModel fractional = gmm_eps_model(far, interpolated_ddpm_kernel(schedule()));
  const EpsModel discrete = gmm_eps_model(far, ddpm_kernel(schedule()));
  EdmHeunSampler edm{schedule(), 5};
  const t::Tensor plain = edm.run(fractional, noise(3));
  edm.clip_x0 = true;
  const t::Tensor clipped = edm.run(fractional, noise(3));
  EXPECT_GT(t::amax(t::abs(plain)).item(), 2.0);
  EXPECT_LE(t::amax(t::abs(clipped)).item(), 1.0);
  const DpmSolverPlusPlus dpm{schedule(), solver_timesteps(schedule(), 9, SolverSpacing::LogSnr), 2, true};
  EXPECT_LE(t::amax(t::abs(dpm.run(discrete, noise(3)))).item(), 1.0);
}

TEST(FastSolvers, LogSnrTimestepsAreDistinctAndEvenInLambda) {
  const Schedule& sch = schedule();
  for (const int64_t K : {1, 2, 10, 50, 200, 999, 1000}) {
    const std::vector<int64_t> seq = solver_timesteps(sch, K, SolverSpacing::LogSnr);
    ASSERT_EQ(static_cast<int64_t>(seq.size()), K);
    EXPECT_NO_THROW(check_timesteps(seq, sch.T, "test"));
    EXPECT_EQ(seq.back(), sch.T);
    if (K > 1) {
      EXPECT_EQ(seq.front(), 1);
    }
  }
  // At K = 10 the gaps in lambda_hat are equal up to the rounding to the grid (whose own steps in
  // lambda_hat reach 0.4 near t = 1): within 10%. Time spacing, the even sub-sequence (docs/math.md (1.6)),
  // has gaps in lambda_hat that differ by a factor of more than 5 (6.5).
  auto gap_ratio = [&](const std::vector<int64_t>& seq) {
    double lo = 1e9, hi = 0;
    for (size_t k = 1; k < seq.size(); ++k) {
      const double gap = 0.5 * (sch.log_snr[seq[k - 1]] - sch.log_snr[seq[k]]);
      lo = std::min(lo, gap), hi = std::max(hi, gap);
    }
    return hi / lo;
  };
  EXPECT_LT(gap_ratio(solver_timesteps(sch, 10, SolverSpacing::LogSnr)), 1.1);
  EXPECT_GT(gap_ratio(solver_timesteps(sch, 10, SolverSpacing::Time)), 5.0);
  EXPECT_EQ(solver_timesteps(sch, 10, SolverSpacing::Time), even_timesteps(sch.T, 10));
  EXPECT_THROW(solver_timesteps(sch, 1001, SolverSpacing::LogSnr), t::Error);
  EXPECT_THROW(solver_timesteps(sch, 0, SolverSpacing::LogSnr), t::Error);
  EXPECT_THROW(parse_solver_spacing("linear"), t::Error);
}

TEST(FastSolvers, StepOrderWarmsUpAndDropsAtTheEnd) {
  DpmSolverPlusPlus dpm{schedule(), even_timesteps(1000, 10), 3};  // 10 points, 9 steps
  std::vector<int> orders;
  for (int64_t i = 1; i <= 9; ++i) orders.push_back(dpm.step_order(i));
  EXPECT_EQ(orders, (std::vector<int>{1, 2, 3, 3, 3, 3, 3, 2, 1}));
  dpm.lower_order_final = false;
  EXPECT_EQ(dpm.step_order(9), 3);
  dpm.lower_order_final = true;
  dpm.timesteps = even_timesteps(1000, 16);  // more than 15 points: no drop at the end
  EXPECT_EQ(dpm.step_order(15), 3);
  dpm.order = 4;
  EXPECT_THROW(dpm.run(gmm_eps_model(single_gaussian(), ddpm_kernel(schedule())), noise(5)), t::Error);
}

TEST(FastSolvers, KarrasSigmasAndInterpolatedLabels) {
  const Schedule& sch = schedule();
  const double sigma_min = vp_sigma(sch, 1), sigma_max = vp_sigma(sch, sch.T);
  const std::vector<double> sigmas = karras_sigmas(sigma_min, sigma_max, 8);
  ASSERT_EQ(sigmas.size(), 9u);
  EXPECT_EQ(sigmas.front(), sigma_max);
  EXPECT_EQ(sigmas[7], sigma_min);
  EXPECT_EQ(sigmas[8], 0.0);
  for (size_t i = 1; i + 1 < 8; ++i)  // docs/math.md (12.7): sigma^(1/7) falls in equal steps
    EXPECT_NEAR(std::pow(sigmas[i - 1], 1 / 7.0) - std::pow(sigmas[i], 1 / 7.0),
                std::pow(sigmas[i], 1 / 7.0) - std::pow(sigmas[i + 1], 1 / 7.0), 1e-12);
  // The interpolated step of a grid sigma is that step; between two steps log alpha_bar is linear.
  for (const int64_t step : {1, 2, 17, 500, 999, 1000})
    EXPECT_NEAR(interpolated_step(sch, vp_sigma(sch, step)), step, 1e-9);
  const double log_mid = 0.5 * (std::log(sch.alpha_bar[400]) + std::log(sch.alpha_bar[401]));
  EXPECT_NEAR(interpolated_step(sch, std::sqrt(std::expm1(-log_mid))), 400.5, 1e-9);
  EXPECT_THROW(interpolated_step(sch, 0.5 * sigma_min), t::Error);
  // The kernel agrees with ddpm_kernel at whole labels and gives sigma's alpha_bar between them.
  const std::vector<double> labels = {-1.0, 0.0, 399.5, 999.0}, grid_labels = {-1.0, 0.0, 999.0};
  const auto [a, b] = interpolated_ddpm_kernel(sch)(t::from_vector(labels, {4}, t::DType::Float64));
  const auto [a_grid, b_grid] = ddpm_kernel(sch)(t::from_vector(grid_labels, {3}, t::DType::Float64));
  const std::vector<double> av = a.to_vector<double>(), bv = b.to_vector<double>();
  EXPECT_NEAR(av[0], a_grid.to_vector<double>()[0], 1e-15);
  EXPECT_NEAR(bv[1], b_grid.to_vector<double>()[1], 1e-15);
  EXPECT_NEAR(bv[3], b_grid.to_vector<double>()[2], 1e-15);
  EXPECT_NEAR(2 * std::log(av[2]), log_mid, 1e-12);
}
