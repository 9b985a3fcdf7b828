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
// name is one of kToy2dNames; throws apps::Error otherwise.
tensor::Tensor toy_2d(const std::string& name, int64_t n, uint64_t seed);

bool is_toy_2d(const std::string& name);

}  // namespace apps
