// The pictures `diffuse` draws: a grid of images, a scatter plot of 2-D
// points (one set, or data and samples in two colours, with axes and a
// legend), and the training loss curve (SVG text or PNG). Pure functions of
// their inputs; writing the file is the caller's one extra line. The drawing
// primitives are canvas.h's, the tick placement ticks.h's.
#pragma once
#include <string>
#include <vector>

#include "apps/io/png.h"
#include "tensor/tensor.h"

namespace apps {

// Shapes: N images, C channels (1 or 3), H, W; points are (N, 2).

// x (N, C, H, W) in [-1, 1] -> a grid with `cols` columns (0: about
// sqrt(N)), 2-pixel gray gaps between the tiles, each pixel repeated `scale`
// times each way (nearest neighbour; 0: default_grid_scale(H)).
Image image_grid(const tensor::Tensor& x, int cols = 0, int scale = 1);
// The scale images of `height` pixels are shown at when none is asked for:
// 2 up to 32 pixels (a 28-pixel Fashion-MNIST tile is tiny at 1), else 1.
int default_grid_scale(int64_t height);

// points (N, 2) in blue; `second` (M, 2), if defined, in orange on top, with
// a legend ("data", "samples"). Axes with ticks at round numbers (ticks.h),
// `title` above. One scale for both axes, fitted to the central 99% of the
// finite points (a few stray samples do not shrink the rest); points that are
// not finite are skipped and their count written in a corner. A `size` x
// `size` image; its cost does not depend on the points' range.
Image scatter_plot(const tensor::Tensor& points, const tensor::Tensor& second = {}, const std::string& title = "",
                   int size = 640);

// The debiased exponential moving average, as TensorBoard smooths: s_t =
// decay s_{t-1} + (1 - decay) x_t from s_0 = 0, shown as s_t / (1 - decay^t).
// Its first value is x_1 itself (no rise from 0, no start pinned to x_1 that
// then lags). Non-finite values are skipped (the average holds; NaN before
// the first finite value).
std::vector<double> debiased_ema(const std::vector<double>& values, double decay);

// The loss per step: raw (faint) and its debiased EMA (dark), a log y axis
// when the losses span more than a decade, round-number ticks and labels on
// both axes. The format follows the extension: ".svg" or ".png".
void write_loss_curve(const std::string& path, const std::vector<double>& losses, int64_t first_step = 1);

// Writes samples to `path` as the extension says: ".npy" (raw float32),
// ".png" (a grid for images (N, C, H, W) at `scale` (0: default_grid_scale),
// a scatter with `title` for points (N, 2)).
void write_samples(const std::string& path, const tensor::Tensor& x, const std::string& title = "", int scale = 0);

}  // namespace apps
