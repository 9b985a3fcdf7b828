// fast_solvers_figure: the error of each ODE sampler against its number of
// model evaluations (NFE) on the oracle, as a table (stdout, markdown) and a
// log-log figure: DDIM (3.2), DPM-Solver++ 2M/3M (12.5)-(12.6) and EDM's Heun
// (12.7)-(12.8), against the exact flow map of diffusion/flow_reference.h.
// Run: ./build/bin/fast_solvers_figure docs/images   (deterministic: same output every run)
#include <fmt/core.h>

#include <cmath>
#include <exception>
#include <functional>
#include <string>
#include <vector>

#include "apps/io/canvas.h"
#include "diffusion/ddim.h"
#include "diffusion/dpm_solver.h"
#include "diffusion/edm.h"
#include "diffusion/flow_reference.h"
#include "diffusion/oracle.h"
#include "tensor/ops.h"

namespace {

using namespace diffusion;
using apps::Color;
using apps::Image;
using apps::Panel;

// Shapes: N = kPoints starting points x_T, each (x, y): (N, 2) float64.
constexpr int64_t kPoints = 256;
const std::vector<int64_t> kBudgets = {10, 15, 20, 30, 40, 60, 80, 120, 160, 250, 400};

struct Solver {
  std::string name;
  Color color;
  // The sample from x_T with a budget of `nfe` evaluations, and the evaluations it used.
  std::function<std::pair<Tensor, int64_t>(const GaussianMixture&, const Tensor&, int64_t)> run;
};

std::vector<Solver> solvers(const Schedule& schedule) {
  auto dpm = [&schedule](int order, bool published) {
    return [&schedule, order, published](const GaussianMixture& gmm, const Tensor& x_T, int64_t nfe) {
      DpmSolverPlusPlus solver{schedule, solver_timesteps(schedule, nfe, SolverSpacing::LogSnr), order};
      solver.published_d2_weight = published;
      return std::make_pair(solver.run(gmm_eps_model(gmm, ddpm_kernel(schedule)), x_T), solver.nfe());
    };
  };
  return {
      {"ddim",
       {127, 127, 127},
       [&schedule](const GaussianMixture& gmm, const Tensor& x_T, int64_t nfe) {
         const DdimSampler ddim{schedule, even_timesteps(schedule.T, nfe), 0.0, false};
         return std::make_pair(ddim.sample(gmm_eps_model(gmm, ddpm_kernel(schedule)), x_T, 0), nfe);
       }},
      {"edm-heun",
       {44, 160, 44},
       [&schedule](const GaussianMixture& gmm, const Tensor& x_T, int64_t nfe) {
         const EdmHeunSampler edm{schedule, EdmHeunSampler::points_for_nfe(nfe)};
         return std::make_pair(edm.run(gmm_eps_model(gmm, interpolated_ddpm_kernel(schedule)), x_T), edm.nfe());
       }},
      {"dpm-solver++2m", {31, 119, 180}, dpm(2, false)},
      {"dpm-solver++3m", {214, 39, 40}, dpm(3, false)},
      {"3m, published D2 weight", {255, 127, 14}, dpm(3, true)},
  };
}

double rms(const Tensor& a, const Tensor& b) {
  const std::vector<double> x = a.to_vector<double>(), y = b.to_vector<double>();
  double sum = 0;
  for (size_t i = 0; i < x.size(); ++i) sum += (x[i] - y[i]) * (x[i] - y[i]);
  return std::sqrt(sum / static_cast<double>(x.size()));
}

// One curve: (NFE, RMS error) per budget.
struct Curve {
  std::vector<double> nfe, error;
};

std::vector<Curve> measure(const std::string& title, const GaussianMixture& gmm, const Tensor& reference,
                           const Tensor& x_T, const std::vector<Solver>& all) {
  fmt::print("\n{} (RMS error against the exact flow map, {} points)\n\n| solver |", title, kPoints);
  for (const int64_t budget : kBudgets) fmt::print(" {} |", budget);
  fmt::print("\n|---|");
  for (size_t i = 0; i < kBudgets.size(); ++i) fmt::print("---|");
  fmt::print("\n");
  std::vector<Curve> curves;
  for (const Solver& solver : all) {
    Curve curve;
    fmt::print("| {} |", solver.name);
    for (const int64_t budget : kBudgets) {
      const auto [x, nfe] = solver.run(gmm, x_T, budget);
      curve.nfe.push_back(static_cast<double>(nfe));
      curve.error.push_back(rms(x, reference));
      fmt::print(" {:.1e} |", curve.error.back());
    }
    fmt::print("\n");
    curves.push_back(curve);
  }
  return curves;
}

// A log-log panel: x = kXScale log10(NFE), y = log10(error), one polyline and dots per solver.
constexpr double kXScale = 6.0;
constexpr double kNfeLo = 8.0, kNfeHi = 500.0, kLogErrLo = -8.0, kLogErrHi = 0.5;

Image plot(const std::string& title, const std::vector<Curve>& curves, const std::vector<Solver>& all) {
  Panel panel(360, kXScale * std::log10(kNfeLo), kXScale * std::log10(kNfeHi), kLogErrLo, kLogErrHi);
  const double px_per_unit = 360.0 / (kXScale * (std::log10(kNfeHi) - std::log10(kNfeLo)));
  auto to_px = [&](double nfe) { return static_cast<int>((kXScale * std::log10(nfe / kNfeLo)) * px_per_unit); };
  auto to_py = [&](double log_err) { return static_cast<int>((kLogErrHi - log_err) * px_per_unit); };
  const Color light{225, 225, 225}, ink{60, 60, 60};
  for (int e = -8; e <= 0; e += 2) {
    panel.line(kXScale * std::log10(kNfeLo), e, kXScale * std::log10(kNfeHi), e, light);
    if (e > kLogErrLo)
      panel.text(2, to_py(e) - 10, fmt::format("1e{}", e), ink, 1);  // the bottom one would hit the NFE labels
  }
  for (const double nfe : {10.0, 20.0, 50.0, 100.0, 200.0, 400.0}) {
    panel.line(kXScale * std::log10(nfe), kLogErrLo, kXScale * std::log10(nfe), kLogErrHi, light);
    panel.text(to_px(nfe) + 2, to_py(kLogErrLo) - 10, fmt::format("{}", nfe), ink, 1);
  }
  for (size_t k = 0; k < curves.size(); ++k) {
    std::vector<double> xy;
    for (size_t i = 0; i < curves[k].nfe.size(); ++i) {
      const double x = kXScale * std::log10(curves[k].nfe[i]), y = std::log10(std::max(curves[k].error[i], 1e-8));
      xy.push_back(x), xy.push_back(y);
      panel.dot(x, y, all[k].color, 2.5);
    }
    panel.polyline(xy, all[k].color, 1.5);
  }
  // Reference slopes -1, -2, -3 from the top right.
  const double x0 = kXScale * std::log10(100.0), y0 = -0.5;
  for (const int order : {1, 2, 3}) {
    const double x1 = kXScale * std::log10(400.0);
    panel.line(x0, y0, x1, y0 - order * std::log10(4.0), ink, 1.0, 0.5);
    panel.text(to_px(400.0) - 14, to_py(y0 - order * std::log10(4.0)) - 4, fmt::format("-{}", order), ink, 1);
  }
  return apps::add_title(panel.image(), title);
}

Image legend(const std::vector<Solver>& all) {
  Panel panel(190, 0, 19, 0, 2.0 * static_cast<double>(all.size()) + 1.0);
  for (size_t k = 0; k < all.size(); ++k) {
    const double y = 2.0 * static_cast<double>(all.size() - k) - 0.5;
    panel.line(0.5, y, 2.5, y, all[k].color, 2.0);
    panel.text(30, static_cast<int>((2.0 * static_cast<double>(all.size()) + 1.0 - y) * 10) - 4, all[k].name,
               {40, 40, 40}, 1);
  }
  return panel.image();
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string dir = argc > 1 ? argv[1] : ".";
    const Schedule schedule = linear_schedule(1000);
    const std::vector<Solver> all = solvers(schedule);
    tensor::Generator gen(1);
    const Tensor x_T = tensor::randn({kPoints, 2}, gen, tensor::DType::Float64);

    const GaussianMixture gaussian = make_gaussian_mixture({{0.5, -0.3}}, {0.5}, {1.0});
    const GaussianMixture mixture =
        make_gaussian_mixture({{-1.5, 0.0}, {1.5, 0.5}, {0.0, 1.8}}, {0.15, 0.1, 0.2}, {0.5, 0.3, 0.2});
    const auto single = measure("One Gaussian, closed-form flow", gaussian,
                                single_gaussian_flow_map(gaussian, schedule, x_T), x_T, all);
    const auto three = measure("Three-component mixture, RK45 flow (tol 1e-10)", mixture,
                               oracle_flow_map(mixture, schedule, x_T), x_T, all);

    const Image figure = apps::hstack(
        {plot("one Gaussian: error vs NFE", single, all), plot("mixture: error vs NFE", three, all), legend(all)});
    const std::string path = dir + "/fast_solvers_error.png";
    apps::write_png(path, figure);
    fmt::print("\nwrote {}\n", path);
  } catch (const std::exception& e) {
    fmt::print(stderr, "fast_solvers_figure: {}\n", e.what());
    return 1;
  }
  return 0;
}
