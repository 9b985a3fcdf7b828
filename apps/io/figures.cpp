// Drawing for figures.h, on 8-bit RGB rasters (canvas.h) with no dependency
// beyond libpng; the SVG loss curve is written as text. Every figure's cost is
// bounded by its pixel size and point count, not by its data's range
// (Note [Ticks cost the same at any range] in ticks.h).
#include "apps/io/figures.h"

#include <algorithm>
#include <cmath>
#include <tuple>
#include <utility>

#include "apps/error.h"
#include "apps/io/canvas.h"
#include "apps/io/npy.h"
#include "apps/io/ticks.h"
#include "nn/atomic_file.h"
#include "tensor/ops.h"

namespace apps {
namespace {

constexpr Color kData{31, 119, 180};       // blue
constexpr Color kSamples{255, 127, 14};    // orange
constexpr Color kRawLoss{170, 190, 220};   // light blue
constexpr Color kSmoothLoss{30, 60, 120};  // dark blue
constexpr int kMaxTicks = 7;

// The q-quantile of values (which it reorders).
double quantile(std::vector<double>& values, double q) {
  const size_t k = static_cast<size_t>(q * (values.size() - 1));
  std::nth_element(values.begin(), values.begin() + k, values.end());
  return values[k];
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

int default_grid_scale(int64_t height) { return height <= 32 ? 2 : 1; }

Image image_grid(const tensor::Tensor& x, int cols, int scale) {
  APPS_CHECK(x.dim() == 4 && (x.size(1) == 1 || x.size(1) == 3), "[image_grid] need (N, 1 or 3, H, W), got {}",
             tensor::shape_str(x.shape()));
  APPS_CHECK(scale >= 0 && scale <= 64, "[image_grid] scale {} is outside 0..64", scale);
  if (scale == 0) scale = default_grid_scale(x.size(2));
  const int n = static_cast<int>(x.size(0)), c = static_cast<int>(x.size(1));
  const int h = static_cast<int>(x.size(2)), w = static_cast<int>(x.size(3));
  if (cols <= 0) cols = static_cast<int>(std::ceil(std::sqrt(double(n))));
  const int rows = (n + cols - 1) / cols, gap = 2;
  const int tile_h = h * scale, tile_w = w * scale;
  Image img(cols * (tile_w + gap) + gap, rows * (tile_h + gap) + gap, c, 128);
  const std::vector<float> v = x.to(tensor::DType::Float32).to_vector<float>();
  for (int i = 0; i < n; ++i) {
    const int ox = gap + (i % cols) * (tile_w + gap), oy = gap + (i / cols) * (tile_h + gap);
    for (int y = 0; y < tile_h; ++y)
      for (int xx = 0; xx < tile_w; ++xx)
        for (int k = 0; k < c; ++k) {
          // Nearest neighbour: output pixel (xx, y) shows source pixel (xx / scale, y / scale).
          const float value = v[((size_t(i) * c + k) * h + y / scale) * w + xx / scale];
          const float pixel = std::clamp((value + 1.0f) * 127.5f, 0.0f, 255.0f);  // [-1, 1] -> 0..255
          img.at(ox + xx, oy + y)[k] = static_cast<uint8_t>(std::lround(pixel));
        }
  }
  return img;
}

Image scatter_plot(const tensor::Tensor& points, const tensor::Tensor& second, const std::string& title, int size) {
  auto check = [](const tensor::Tensor& p) {
    APPS_CHECK(p.dim() == 2 && p.size(1) == 2, "[scatter_plot] need points (N, 2), got {}",
               tensor::shape_str(p.shape()));
    return p.to(tensor::DType::Float64).to_vector<double>();
  };
  const std::vector<double> a = check(points);
  const std::vector<double> b = second.defined() ? check(second) : std::vector<double>{};

  // The view: one scale for both axes (so circles stay round), centred on the
  // central 99% of the finite points, padded so none sits on the frame.
  std::vector<double> xs, ys;
  for (const auto* set : {&a, &b})
    for (size_t i = 0; i + 1 < set->size(); i += 2) {
      if (!std::isfinite((*set)[i]) || !std::isfinite((*set)[i + 1])) continue;
      xs.push_back((*set)[i]);
      ys.push_back((*set)[i + 1]);
    }
  const size_t not_finite = (a.size() + b.size()) / 2 - xs.size();
  auto [x_lo, x_hi] = xs.empty() ? std::pair{-1.0, 1.0} : padded_range(quantile(xs, 0.005), quantile(xs, 0.995));
  auto [y_lo, y_hi] = ys.empty() ? std::pair{-1.0, 1.0} : padded_range(quantile(ys, 0.005), quantile(ys, 0.995));
  // Halves throughout, and a cap, so that views near +-DBL_MAX stay finite.
  const double half = std::min(std::max(0.5 * x_hi - 0.5 * x_lo, 0.5 * y_hi - 0.5 * y_lo), 1e307);
  const double cx = std::clamp(0.5 * x_lo + 0.5 * x_hi, -1e307, 1e307);
  const double cy = std::clamp(0.5 * y_lo + 0.5 * y_hi, -1e307, 1e307);

  Axes axes;
  axes.x_ticks = nice_ticks(cx - half, cx + half, kMaxTicks);
  axes.y_ticks = nice_ticks(cy - half, cy + half, kMaxTicks);
  axes.title = title;
  const Margins m = axes_margins(axes);
  const int side = size - std::max(m.left + m.right, m.top + m.bottom);
  APPS_CHECK(side >= 32, "[scatter_plot] size {} leaves no room for the plot inside its axes", size);
  Panel panel(side, side, cx - half, cx + half, cy - half, cy + half);
  panel.grid(axes.x_ticks, axes.y_ticks);
  // Fainter dots for larger sets, so density shows instead of a solid blob.
  auto draw = [&](const std::vector<double>& set, Color color) {
    const double alpha = std::clamp(1000.0 / std::max<double>(set.size() / 2, 1), 0.35, 0.9);
    for (size_t i = 0; i + 1 < set.size(); i += 2) panel.dot(set[i], set[i + 1], color, 1.5, alpha);
  };
  draw(a, kData);
  draw(b, kSamples);

  Image figure = add_axes(panel, axes);
  if (second.defined()) draw_legend(figure, m.left + side - 6, m.top + 6, {{kData, "data"}, {kSamples, "samples"}});
  if (not_finite > 0)
    draw_text(figure, m.left + 6, m.top + side - 22, fmt::format("{} points not finite, not drawn", not_finite),
              {200, 0, 0});
  Image out(size, size, 3, 255);
  paste(out, figure, (size - figure.width) / 2, (size - figure.height) / 2);
  return out;
}

std::vector<double> debiased_ema(const std::vector<double>& values, double decay) {
  APPS_CHECK(decay >= 0 && decay < 1, "[debiased_ema] decay {} is outside [0, 1)", decay);
  std::vector<double> out(values.size());
  double average = 0, weight = 0;  // weight = 1 - decay^t over the t finite values so far
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isfinite(values[i])) {
      average = decay * average + (1 - decay) * values[i];
      weight = decay * weight + (1 - decay);
    }
    out[i] = weight > 0 ? average / weight : NAN;
  }
  return out;
}

namespace {

// What both loss-curve formats draw: the view, the ticks, the smoothed curve.
struct LossPlot {
  std::vector<double> smoothed;
  int64_t window;  // the EMA's time constant in steps: 1 / (1 - decay)
  bool log_y;
  double x_lo, x_hi, y_lo, y_hi;  // the view, in axis units (log10 of the loss on a log axis)
  Axes axes;
  // A loss's height on the axis; on a log axis a loss <= 0 sits at the bottom.
  double axis_y(double loss) const { return log_y ? (loss > 0 ? std::log10(loss) : y_lo) : loss; }
};

LossPlot make_loss_plot(const std::vector<double>& losses, int64_t first_step) {
  LossPlot p;
  const int64_t n = static_cast<int64_t>(losses.size());
  // A time constant of 1/50 of the run: long enough to show the trend through
  // the noise of one batch's loss, short enough to lag by a fiftieth of the width.
  p.window = std::clamp<int64_t>(n / 50, 1, 500);
  p.smoothed = debiased_ema(losses, 1.0 - 1.0 / static_cast<double>(p.window));

  double lo = INFINITY, hi = -INFINITY;
  for (double l : losses)
    if (std::isfinite(l)) {
      lo = std::min(lo, l);
      hi = std::max(hi, l);
    }
  APPS_CHECK(std::isfinite(lo), "[write_loss_curve] none of the {} losses is finite", n);
  p.log_y = lo > 0 && hi / lo > 10;
  if (p.log_y)
    std::tie(p.y_lo, p.y_hi) = padded_range(std::log10(lo), std::log10(hi), 0.03);
  else
    std::tie(p.y_lo, p.y_hi) = padded_range(lo, hi, 0.03);
  std::tie(p.x_lo, p.x_hi) =
      n > 1 ? std::pair<double, double>(first_step, first_step + n - 1) : padded_range(first_step, first_step, 0);
  p.axes.x_ticks = nice_ticks(p.x_lo, p.x_hi, kMaxTicks);
  p.axes.y_ticks = p.log_y ? log_ticks(std::pow(10.0, p.y_lo), std::pow(10.0, p.y_hi), kMaxTicks)
                           : nice_ticks(p.y_lo, p.y_hi, kMaxTicks);
  p.axes.x_title = "step";
  p.axes.y_title = p.log_y ? "loss (log scale)" : "loss";
  return p;
}

// The (step, axis_y) vertices of a curve: every k-th finite value, at most
// ~2000 of them (enough for 640 pixels, and the files stay small).
std::vector<std::pair<double, double>> vertices(const std::vector<double>& values, int64_t first_step,
                                                const LossPlot& p) {
  const size_t stride = std::max<size_t>(1, values.size() / 2000);
  std::vector<std::pair<double, double>> out;
  for (size_t i = 0; i < values.size(); i += stride)
    if (std::isfinite(values[i])) out.emplace_back(double(first_step + int64_t(i)), p.axis_y(values[i]));
  return out;
}

std::string smoothed_label(const LossPlot& p) { return fmt::format("EMA ({} steps), debiased", p.window); }

void write_loss_png(const std::string& path, const std::vector<double>& losses, int64_t first_step, const LossPlot& p) {
  const Margins m = axes_margins(p.axes);  // 640 x 400 in all, as the SVG
  Panel panel(640 - m.left - m.right, 400 - m.top - m.bottom, p.x_lo, p.x_hi, p.y_lo, p.y_hi);
  panel.grid(p.axes.x_ticks, p.axes.y_ticks);
  auto curve = [&](const std::vector<double>& values) {
    std::vector<double> xy;
    for (const auto& [step, y] : vertices(values, first_step, p)) xy.insert(xy.end(), {step, y});
    return xy;
  };
  panel.polyline(curve(losses), kRawLoss, 1.0);
  panel.polyline(curve(p.smoothed), kSmoothLoss, 2.0);
  Image figure = add_axes(panel, p.axes);
  draw_legend(figure, m.left + panel.image().width - 6, m.top + 6,
              {{kRawLoss, "loss per step"}, {kSmoothLoss, smoothed_label(p)}});
  write_png(path, figure);
}

void write_loss_svg(const std::string& path, const std::vector<double>& losses, int64_t first_step, const LossPlot& p) {
  const int width = 640, height = 400, left = 70, right = 20, top = 30, bottom = 50;
  auto px = [&](double step) { return left + (step - p.x_lo) / (p.x_hi - p.x_lo) * (width - left - right); };
  auto py = [&](double y) { return top + (p.y_hi - y) / (p.y_hi - p.y_lo) * (height - top - bottom); };
  auto polyline = [&](const std::vector<double>& values, const std::string& id, const char* style) {
    std::string points;
    for (const auto& [step, y] : vertices(values, first_step, p))
      points += fmt::format("{:.1f},{:.1f} ", px(step), py(y));
    return fmt::format("<polyline id=\"{}\" fill=\"none\" {} points=\"{}\"/>\n", id, style, points);
  };
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"sans-serif\" "
      "font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      width, height);
  // Grid lines and tick labels at the round numbers of ticks.h.
  for (const Tick& t : p.axes.x_ticks) {
    const double x = px(t.at);
    svg += fmt::format("<path d=\"M{0:.1f},{1} V{2}\" stroke=\"#e8e8e8\"/>\n", x, top, height - bottom);
    svg += fmt::format("<path d=\"M{0:.1f},{1} v5\" stroke=\"black\"/>\n", x, height - bottom);
    svg +=
        fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", x, height - bottom + 18, t.label);
  }
  for (const Tick& t : p.axes.y_ticks) {
    const double y = py(t.at);
    svg += fmt::format("<path d=\"M{0},{1:.1f} H{2}\" stroke=\"#e8e8e8\"/>\n", left, y, width - right);
    svg += fmt::format("<path d=\"M{0},{1:.1f} h-5\" stroke=\"black\"/>\n", left, y);
    svg += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left - 8, y + 4, t.label);
  }
  svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" stroke=\"black\" fill=\"none\"/>\n", left, top,
                     width - left - right, height - top - bottom);
  svg += polyline(losses, "raw", "stroke=\"#aabedc\" stroke-width=\"0.8\"");
  svg += polyline(p.smoothed, "smoothed", "stroke=\"#1e3c78\" stroke-width=\"1.8\"");
  // Legend (top right) and axis titles.
  const int lx = width - right - 208, ly = top + 8;
  svg +=
      fmt::format("<rect x=\"{}\" y=\"{}\" width=\"200\" height=\"40\" fill=\"white\" stroke=\"#c8c8c8\"/>\n", lx, ly);
  svg += fmt::format("<path d=\"M{0},{1} h20\" stroke=\"#aabedc\" stroke-width=\"2\"/>\n", lx + 8, ly + 13);
  svg += fmt::format("<text x=\"{}\" y=\"{}\">loss per step</text>\n", lx + 34, ly + 17);
  svg += fmt::format("<path d=\"M{0},{1} h20\" stroke=\"#1e3c78\" stroke-width=\"2\"/>\n", lx + 8, ly + 30);
  svg += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", lx + 34, ly + 34, smoothed_label(p));
  svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", (left + width - right) / 2,
                     height - 12, p.axes.x_title);
  svg += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", 8, top - 12, p.axes.y_title);
  svg += "</svg>\n";
  nn::write_file_atomically(path, svg);  // complete or absent (Note [Atomic writes])
}

}  // namespace

void write_loss_curve(const std::string& path, const std::vector<double>& losses, int64_t first_step) {
  APPS_CHECK(!losses.empty(), "[write_loss_curve] {}: no losses to plot", path);
  const bool png = ends_with(path, ".png");
  APPS_CHECK(png || ends_with(path, ".svg"), "{}: the loss curve is written as .svg or .png", path);
  const LossPlot plot = make_loss_plot(losses, first_step);
  if (png)
    write_loss_png(path, losses, first_step, plot);
  else
    write_loss_svg(path, losses, first_step, plot);
}

void write_samples(const std::string& path, const tensor::Tensor& x, const std::string& title, int scale) {
  if (ends_with(path, ".npy")) return write_npy(path, x);
  APPS_CHECK(ends_with(path, ".png"), "{}: the output is written as .npy or .png", path);
  if (x.dim() == 2 && x.size(1) == 2) return write_png(path, scatter_plot(x, {}, title));
  APPS_CHECK(x.dim() == 4, "{}: cannot draw samples of shape {} (need (N, 2) or (N, C, H, W))", path,
             tensor::shape_str(x.shape()));
  write_png(path, image_grid(x, 0, scale));
}

}  // namespace apps
