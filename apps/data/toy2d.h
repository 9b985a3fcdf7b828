// The built-in 2-D data sets, generated from a seed: moons, swissroll,
// 8gaussians, checkerboard (FFJORD's toy shapes, within about [-4, 4]) and
// a Gaussian mixture read by diffusion/oracle.h, so oracle and data agree.
// Images are in image_sets.h.
#pragma once
#include <cstdint>
#include <string>

#include "tensor/random.h"
#include "tensor/tensor.h"

namespace apps {

// The names toy_2d accepts, for help texts and error messages.
inline constexpr const char* kToy2dNames = "moons, swissroll, 8gaussians, checkerboard, gmm:FILE.json";

// n points (n, 2) float32 of the named set. Same name, n and seed: same points.
// name is one of kToy2dNames; throws apps::Error otherwise. With `labels`
// given, it receives each point's class, Int64 (n,), for the sets that have
// classes (toy_2d_has_labels), else an undefined tensor.
tensor::Tensor toy_2d(const std::string& name, int64_t n, uint64_t seed, tensor::Tensor* labels = nullptr);

// moons (2 classes: upper, lower), 8gaussians (8: by angle) and gmm:FILE (K:
// the component) have classes; swissroll and checkerboard have none.
bool toy_2d_has_labels(const std::string& name);

bool is_toy_2d(const std::string& name);

}  // namespace apps
