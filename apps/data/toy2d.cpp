// The 2-D sets of toy2d.h. Each draws its uniform and normal variates as
// whole tensors from one Generator, then builds the points in a plain loop
// in float64, so the recipe reads like its formula. The sets with a natural
// class give it too (which moon, which Gaussian, which mixture component);
// drawing it takes no extra random numbers, so the points stay the same.
#include "apps/data/toy2d.h"

#include <cmath>
#include <numbers>
#include <vector>

#include "apps/error.h"
#include "diffusion/oracle.h"
#include "diffusion/random_streams.h"
#include "tensor/ops.h"

namespace apps {
namespace {

using tensor::Generator;

std::vector<double> uniform(int64_t n, Generator& gen) {
  return tensor::rand({n}, gen, tensor::DType::Float64).to_vector<double>();
}
std::vector<double> normal(int64_t n, Generator& gen) {
  return tensor::randn({n}, gen, tensor::DType::Float64).to_vector<double>();
}

// Two interleaved half circles (scikit-learn's make_moons, noise 0.05),
// centred and scaled by 2. Class 0: the upper moon; 1: the lower.
std::vector<double> moons(int64_t n, Generator& gen, std::vector<int64_t>& label) {
  const auto u = uniform(n, gen), which = uniform(n, gen), nx = normal(n, gen), ny = normal(n, gen);
  std::vector<double> xy(2 * n);
  for (int64_t i = 0; i < n; ++i) {
    const double angle = std::numbers::pi * u[i];
    const bool upper = which[i] < 0.5;
    label[i] = upper ? 0 : 1;
    const double x = upper ? std::cos(angle) : 1 - std::cos(angle);
    const double y = upper ? std::sin(angle) : 0.5 - std::sin(angle);
    xy[2 * i] = 2 * (x - 0.5 + 0.05 * nx[i]);
    xy[2 * i + 1] = 2 * (y - 0.25 + 0.05 * ny[i]);
  }
  return xy;
}

// A 2-D swiss roll: angle t = 1.5 pi (1 + 2u), point t (cos t, sin t) plus
// unit noise, divided by 5 (as FFJORD's toy data).
std::vector<double> swissroll(int64_t n, Generator& gen) {
  const auto u = uniform(n, gen), nx = normal(n, gen), ny = normal(n, gen);
  std::vector<double> xy(2 * n);
  for (int64_t i = 0; i < n; ++i) {
    const double t = 1.5 * std::numbers::pi * (1 + 2 * u[i]);
    xy[2 * i] = (t * std::cos(t) + 0.5 * nx[i]) / 5;
    xy[2 * i + 1] = (t * std::sin(t) + 0.5 * ny[i]) / 5;
  }
  return xy;
}

// Eight Gaussians of std 0.5 on a circle of radius 4, all divided by sqrt 2.
// Class k: the Gaussian at angle 2 pi k / 8 (k = 0 on the positive x axis).
std::vector<double> eight_gaussians(int64_t n, Generator& gen, std::vector<int64_t>& label) {
  const auto which = uniform(n, gen), nx = normal(n, gen), ny = normal(n, gen);
  std::vector<double> xy(2 * n);
  for (int64_t i = 0; i < n; ++i) {
    label[i] = static_cast<int64_t>(std::floor(which[i] * 8));
    const double angle = 2 * std::numbers::pi * std::floor(which[i] * 8) / 8;
    xy[2 * i] = (4 * std::cos(angle) + 0.5 * nx[i]) / std::numbers::sqrt2;
    xy[2 * i + 1] = (4 * std::sin(angle) + 0.5 * ny[i]) / std::numbers::sqrt2;
  }
  return xy;
}

// Uniform on the dark squares of a 4 x 4 checkerboard spanning [-4, 4]^2.
std::vector<double> checkerboard(int64_t n, Generator& gen) {
  const auto u1 = uniform(n, gen), u2 = uniform(n, gen), row = uniform(n, gen);
  std::vector<double> xy(2 * n);
  for (int64_t i = 0; i < n; ++i) {
    const double x1 = 4 * u1[i] - 2;                                    // in [-2, 2)
    const double x2 = u2[i] - 2 * std::floor(2 * row[i]);               // in [-2, 1): one of two rows
    const double shift = std::fmod(std::floor(x1) + 4, 2.0);           // odd columns move up by one
    xy[2 * i] = 2 * x1;
    xy[2 * i + 1] = 2 * (x2 + shift);
  }
  return xy;
}

}  // namespace

bool is_toy_2d(const std::string& name) {
  return name == "moons" || name == "swissroll" || name == "8gaussians" || name == "checkerboard" ||
         name.rfind("gmm:", 0) == 0;
}

bool toy_2d_has_labels(const std::string& name) {
  return name == "moons" || name == "8gaussians" || name.rfind("gmm:", 0) == 0;
}

tensor::Tensor toy_2d(const std::string& name, int64_t n, uint64_t seed, tensor::Tensor* labels) {
  APPS_CHECK(n > 0, "[toy_2d] {}: need at least one point, asked for {}", name, n);
  // Its own streams, apart from the data order (Note [Random streams]).
  Generator gen = diffusion::generator_for(seed, diffusion::RandomUse::DataGeneration);
  if (name.rfind("gmm:", 0) == 0) {
    const std::string path = name.substr(4);
    diffusion::GaussianMixture gmm;
    try {
      gmm = diffusion::load_gaussian_mixture_json(path);
    } catch (const std::exception& e) {
      // The oracle's message may not name the file; make sure ours does.
      const std::string what = e.what();
      throw Error(what.find(path) == std::string::npos ? path + ": " + what : what);
    }
    APPS_CHECK(gmm.d() == 2, "{}: the mixture has {} dimensions; a 2-D data set needs 2", path, gmm.d());
    return diffusion::sample_mixture(gmm, n, gen, tensor::DType::Float32, labels);
  }
  std::vector<double> xy;
  std::vector<int64_t> label(n, -1);
  if (name == "moons") xy = moons(n, gen, label);
  else if (name == "swissroll") xy = swissroll(n, gen);
  else if (name == "8gaussians") xy = eight_gaussians(n, gen, label);
  else if (name == "checkerboard") xy = checkerboard(n, gen);
  else throw Error(fmt::format("unknown 2-D data set '{}' (valid: {})", name, kToy2dNames));
  if (labels) *labels = toy_2d_has_labels(name) ? tensor::from_vector(label, {n}) : tensor::Tensor();
  return tensor::from_vector(xy, {n, 2});
}

}  // namespace apps
