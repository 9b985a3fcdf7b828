// The pictures `diffuse` draws: a grid of images, a scatter plot of 2-D
// points (one set, or data and samples in two colors), and the training
// loss curve (SVG text, or a label-free PNG). Pure functions of their
// inputs; writing the file is the caller's one extra line.
#pragma once
#include <string>
#include <vector>

#include "apps/io/png.h"
#include "tensor/tensor.h"

namespace apps {

// Shapes: N images, C channels (1 or 3), H, W; points are (N, 2).

// x (N, C, H, W) in [-1, 1] -> a grid with `cols` columns (0: about
// sqrt(N)), 2-pixel gaps, each pixel repeated `scale` times each way.
Image image_grid(const tensor::Tensor& x, int cols = 0, int scale = 1);

// points (N, 2) as dark dots on a white square of `size` pixels; `second`
// (M, 2), if defined, in orange on top. The view fits both sets (ignoring
// the outer 0.5% so a few stray samples do not shrink the rest).
Image scatter_plot(const tensor::Tensor& points, const tensor::Tensor& second = {}, int size = 512);

// The loss per step, raw (light) and smoothed (dark), on a log scale.
// The format follows the extension: ".svg" (with axis labels) or ".png".
void write_loss_curve(const std::string& path, const std::vector<double>& losses, int64_t first_step = 1);

// Writes samples to `path` as the extension says: ".npy" (raw float32),
// ".png" (a grid for images (N, C, H, W), a scatter for points (N, 2)).
void write_samples(const std::string& path, const tensor::Tensor& x);

}  // namespace apps
