// diffusion_figures: the pictures of docs/diffusion.md, drawn by the library
// itself: the forward process (docs/math.md (1.2)), the oracle's ideal denoiser
// (10.5), and the paths of four samplers (2.5, 3.2, 4.6, 5.1) on one mixture.
// Run: ./build/bin/diffusion_figures docs/images   (fixed seeds: same PNGs every run)
#include <fmt/core.h>

#include <cstdint>
#include <exception>
#include <iterator>
#include <string>
#include <vector>

#include "apps/data/toy2d.h"
#include "apps/io/canvas.h"
#include "autograd/grad_mode.h"
#include "diffusion/ddim.h"
#include "diffusion/ddpm.h"
#include "diffusion/oracle.h"
#include "diffusion/predictor_corrector.h"
#include "diffusion/probability_flow.h"
#include "diffusion/reverse_sde.h"
#include "diffusion/schedule.h"
#include "tensor/ops.h"

namespace {

using namespace diffusion;
using apps::Color;
using apps::Image;
using apps::Panel;
using tensor::DType;
using tensor::Generator;

// Shapes: N points, each (x, y); every tensor of points is (N, 2).

constexpr int kPanelPx = 300;   // each panel is kPanelPx square ...
constexpr double kView = 3.5;   // ... and shows [-kView, kView]^2
constexpr Color kData{190, 190, 190};
constexpr Color kPoint{40, 60, 110};
constexpr Color kEstimate{220, 90, 20};
constexpr Color kLink{150, 150, 150};
// One colour per trajectory, cycled (the "tab10" palette).
constexpr Color kPalette[] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44},  {214, 39, 40},  {148, 103, 189},
                              {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};

// The chapter's mixture (docs/diffusion.md section 3): three isotropic Gaussians.
GaussianMixture chapter_mixture() {
  return make_gaussian_mixture({{-1.5, 0.0}, {1.5, 0.5}, {0.0, 1.8}}, {0.15, 0.1, 0.2}, {0.5, 0.3, 0.2});
}

// x0, y0, x1, y1, ... of a tensor of points.
std::vector<double> coords(const Tensor& points) { return points.to(DType::Float64).to_vector<double>(); }

Panel grid_panel() {
  Panel panel(kPanelPx, -kView, kView, -kView, kView);
  panel.grid(1.0);
  return panel;
}

void scatter(Panel& panel, const Tensor& points, Color color, double radius, double alpha) {
  const std::vector<double> xy = coords(points);
  for (size_t i = 0; i + 1 < xy.size(); i += 2) panel.dot(xy[i], xy[i + 1], color, radius, alpha);
}

// A per-point (N,) float64 tensor holding `value`: the (a, b) a kernel hands the oracle.
Tensor per_point(int64_t n, double value) { return tensor::full({n}, value, DType::Float64); }

// 1. q(x_t | x_0) on the moons: x_t = a_t x_0 + b_t eps, docs/math.md (1.2). One eps
// for every t, so each point slides continuously from its data point to its noise.
Image forward_figure() {
  const Schedule schedule = linear_schedule();  // docs/math.md (1.3)
  const Tensor x0 = apps::toy_2d("moons", 1000, /*seed=*/1);
  Generator gen(2);
  const Tensor eps = tensor::randn(x0.shape(), gen);
  std::vector<Image> panels;
  for (int64_t t : {0, 50, 200, 500, 1000}) {
    const double a = schedule.a(t), b = schedule.b(t);
    const Tensor x_t = x0 * a + eps * b;
    Panel panel = grid_panel();
    scatter(panel, x_t, kPoint, 1.2, 0.6);
    panel.text(6, kPanelPx - 22, fmt::format("a={:.2f} b={:.2f}", a, b), {0, 0, 0});
    panels.push_back(apps::add_title(panel.image(), fmt::format("t = {}", t)));
  }
  return apps::hstack(panels);
}

// 2. The ideal denoiser: from each x_t on a grid, a line to the Tweedie
// estimate x0_hat = E[x_0 | x_t] of the mixture (docs/math.md (10.5)).
Image denoiser_figure() {
  const GaussianMixture gmm = chapter_mixture();
  const Schedule schedule = linear_schedule();
  Generator gen(3);
  const Tensor data = sample_mixture(gmm, 600, gen);
  // The grid of x_t: 11 x 11 points over [-2.5, 2.5]^2.
  std::vector<double> grid;
  for (int i = 0; i < 11; ++i)
    for (int j = 0; j < 11; ++j) grid.insert(grid.end(), {-2.5 + 0.5 * j, -2.5 + 0.5 * i});
  const int64_t n = static_cast<int64_t>(grid.size() / 2);
  const Tensor x_t = tensor::from_vector(grid, {n, 2}, DType::Float64);

  std::vector<Image> panels;
  for (int64_t t : {10, 100, 300, 600}) {
    const Tensor x0_hat = posterior_mean(gmm, x_t, per_point(n, schedule.a(t)), per_point(n, schedule.b(t)));
    const std::vector<double> from = coords(x_t), to = coords(x0_hat);
    Panel panel = grid_panel();
    scatter(panel, data, kData, 1.2, 0.5);
    for (size_t i = 0; i + 1 < from.size(); i += 2) panel.line(from[i], from[i + 1], to[i], to[i + 1], kLink, 1.0, 0.7);
    scatter(panel, x_t, kPoint, 1.6, 1.0);
    scatter(panel, x0_hat, kEstimate, 2.2, 1.0);
    panel.text(6, kPanelPx - 22, fmt::format("a={:.2f} b={:.2f}", schedule.a(t), schedule.b(t)), {0, 0, 0});
    panels.push_back(apps::add_title(panel.image(), fmt::format("t = {}", t)));
  }
  return apps::hstack(panels);
}

// The paths of N points: after each step, add() appends every point's position.
struct Paths {
  std::vector<std::vector<double>> xy;  // xy[i] = x, y, x, y, ... of point i
  Tensor last;

  void add(const Tensor& x) {
    const std::vector<double> v = coords(x);
    xy.resize(v.size() / 2);
    for (size_t i = 0; i < xy.size(); ++i) xy[i].insert(xy[i].end(), {v[2 * i], v[2 * i + 1]});
    last = x;
  }
};

// Each path in its own colour from x_T (a grey dot) to the sample (a black dot), the data in grey.
// Paths fade in from `alpha_first`: 0 hides the first quarter of a noisy path, where it only wanders.
Image draw_paths(const Paths& paths, const Tensor& data, const std::string& title, const std::string& subtitle,
                 double alpha_first) {
  Panel panel = grid_panel();
  for (size_t i = 0; i < paths.xy.size(); ++i) {
    panel.polyline(paths.xy[i], kPalette[i % std::size(kPalette)], 1.0, alpha_first, 1.0);
    panel.dot(paths.xy[i][0], paths.xy[i][1], {120, 120, 120}, 2.0);
  }
  scatter(panel, data, kData, 1.2, 0.6);  // over the paths, so the modes stay visible
  scatter(panel, paths.last, {0, 0, 0}, 2.5, 1.0);
  return apps::add_title(apps::add_title(panel.image(), subtitle), title);
}

// 3. Four samplers, all driven by the exact eps* of the mixture (docs/math.md (10.4)),
// all starting from the same x_T ~ N(0, I).
Image samplers_figure() {
  const GaussianMixture gmm = chapter_mixture();
  Generator data_gen(4);
  const Tensor data = sample_mixture(gmm, 400, data_gen);
  Generator prior_gen(5);
  const Tensor x_T = tensor::randn({10, 2}, prior_gen);
  std::vector<Image> panels;

  // Discrete time: the linear schedule and eps* under its kernel (a_t, b_t).
  const Schedule schedule = linear_schedule();
  const EpsModel eps_discrete = gmm_eps_model(gmm, ddpm_kernel(schedule));
  auto record = [](Paths& paths) { return [&paths](int64_t, const Tensor& x_s) { paths.add(x_s); }; };

  // Ancestral DDPM, sigma^2 = beta, every one of the 1000 steps (docs/math.md (2.5)-(2.6)).
  Paths ddpm;
  ddpm.add(x_T);
  const AncestralSampler ancestral{schedule, all_timesteps(1000)};
  ancestral.sample(eps_discrete, x_T, /*seed=*/6, record(ddpm));
  panels.push_back(draw_paths(ddpm, data, "DDPM", "1000 steps", 0.0));

  // DDIM with eta = 0 on 50 evenly spaced steps: deterministic (docs/math.md (3.2)).
  Paths ddim;
  ddim.add(x_T);
  const DdimSampler ddim_sampler{schedule, even_timesteps(1000, 50), /*eta=*/0.0};
  ddim_sampler.sample(eps_discrete, x_T, /*seed=*/6, record(ddim));
  panels.push_back(draw_paths(ddim, data, "DDIM eta=0", "50 steps", 0.3));

  // Continuous time: the VP SDE, the limit of the same chain (docs/math.md (4.4)).
  const VpSde sde;
  const EpsModel eps_sde = gmm_eps_model(gmm, sde.kernel());

  // Euler-Maruyama on the reverse SDE (docs/math.md (4.6)), stepped by hand to see
  // every point; the last step returns its mean, as sample_sde does (4.9).
  Paths em;
  em.add(x_T);
  const EulerMaruyamaPredictor predictor(sde, eps_sde);
  const std::vector<double> times = sde_time_grid(sde, 1000);
  Generator em_gen(6);
  Tensor x = x_T;
  for (size_t i = 0; i + 1 < times.size(); ++i) {
    const PredictorStep step = predictor.step(x, times[i], times[i] - times[i + 1], em_gen);
    x = (i + 2 == times.size()) ? step.x_mean : step.x;
    em.add(x);
  }
  panels.push_back(draw_paths(em, data, "reverse SDE", "Euler-Maruyama, 1000", 0.0));

  // The probability-flow ODE (docs/math.md (5.1), (5.3)) with Heun, one step per call to see the path.
  Paths ode;
  ode.add(x_T);
  const OdeFn drift = probability_flow_fn(sde, eps_sde);
  const std::vector<double> ode_times = sde_time_grid(sde, 100);
  x = x_T;
  for (size_t i = 0; i + 1 < ode_times.size(); ++i) {
    x = heun_solve(drift, x, ode_times[i], ode_times[i + 1], 1).y;
    ode.add(x);
  }
  panels.push_back(draw_paths(ode, data, "probability flow", "Heun, 100 steps", 0.3));
  return apps::hstack(panels);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    fmt::print(stderr, "usage: {} OUT_DIR   (writes diffusion_{{forward,denoiser,samplers}}.png there)\n", argv[0]);
    return 2;
  }
  autograd::NoGradGuard no_grad;  // the oracle is written with autograd ops; no graph is needed here
  const std::string dir = argv[1];
  try {
    apps::write_png(dir + "/diffusion_forward.png", forward_figure());
    apps::write_png(dir + "/diffusion_denoiser.png", denoiser_figure());
    apps::write_png(dir + "/diffusion_samplers.png", samplers_figure());
  } catch (const std::exception& e) {  // e.g. OUT_DIR does not exist
    fmt::print(stderr, "diffusion_figures: {}\n", e.what());
    return 1;
  }
  fmt::print("wrote {0}/diffusion_forward.png, {0}/diffusion_denoiser.png, {0}/diffusion_samplers.png\n", dir);
}
