// Drawing for figures.h, on 8-bit RGB rasters with no dependency beyond
// libpng: dots, lines and rectangles are all we need.
#include "apps/io/figures.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "apps/error.h"
#include "apps/io/npy.h"
#include "nn/atomic_file.h"
#include "tensor/ops.h"

namespace apps {
namespace {

struct Rgb {
  uint8_t r, g, b;
};
constexpr Rgb kInk{40, 60, 110};      // data, raw loss: dark blue
constexpr Rgb kSecond{235, 120, 20};  // samples: orange
constexpr Rgb kGrid{225, 225, 225};

// Mixes `color` into pixel (x, y) with weight `alpha`, so dense regions darken.
void blend(Image& img, int x, int y, Rgb color, double alpha) {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
  uint8_t* p = img.at(x, y);
  const uint8_t c[3] = {color.r, color.g, color.b};
  for (int k = 0; k < 3; ++k) p[k] = static_cast<uint8_t>(std::lround(p[k] * (1 - alpha) + c[k] * alpha));
}

void dot(Image& img, double x, double y, Rgb color, double alpha) {
  const int cx = static_cast<int>(std::lround(x)), cy = static_cast<int>(std::lround(y));
  for (int dy = -1; dy <= 1; ++dy)
    for (int dx = -1; dx <= 1; ++dx) blend(img, cx + dx, cy + dy, color, (dx == 0 && dy == 0) ? alpha : alpha / 2);
}

// A straight line by sampling it once per pixel of its longer extent.
void line(Image& img, double x0, double y0, double x1, double y1, Rgb color, double alpha = 1.0) {
  const int n = static_cast<int>(std::max(std::abs(x1 - x0), std::abs(y1 - y0))) + 1;
  for (int i = 0; i <= n; ++i) {
    const double s = double(i) / n;
    blend(img, static_cast<int>(std::lround(x0 + s * (x1 - x0))), static_cast<int>(std::lround(y0 + s * (y1 - y0))),
          color, alpha);
  }
}

// The q-quantile of values (which it reorders).
double quantile(std::vector<double>& values, double q) {
  const size_t k = static_cast<size_t>(q * (values.size() - 1));
  std::nth_element(values.begin(), values.begin() + k, values.end());
  return values[k];
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Grid spacing for a view `range` wide: 1, 2 or 5 times a power of ten,
// about six lines across whatever the data's scale (range 8.8 gives 1, the
// unit grid of the toy sets). A spacing of one unit drew 10^8 lines for
// points near 1e8, and never finished near 1e38 (g + 1 == g).
double nice_spacing(double range) {
  const double raw = range / 6;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  const double m = raw / power;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * power;
}

// An exponential moving average of the losses, for the smooth curve.
std::vector<double> smooth(const std::vector<double>& v) {
  const double decay = v.size() > 200 ? 0.98 : 0.9;
  std::vector<double> out(v.size());
  double avg = v.empty() ? 0 : v[0];
  for (size_t i = 0; i < v.size(); ++i) out[i] = avg = decay * avg + (1 - decay) * v[i];
  return out;
}

}  // namespace

Image image_grid(const tensor::Tensor& x, int cols, int scale) {
  APPS_CHECK(x.dim() == 4 && (x.size(1) == 1 || x.size(1) == 3), "[image_grid] need (N, 1 or 3, H, W), got {}",
             tensor::shape_str(x.shape()));
  const int n = static_cast<int>(x.size(0)), c = static_cast<int>(x.size(1));
  const int h = static_cast<int>(x.size(2)) * scale, w = static_cast<int>(x.size(3)) * scale;
  if (cols <= 0) cols = static_cast<int>(std::ceil(std::sqrt(double(n))));
  const int rows = (n + cols - 1) / cols, gap = 2;
  Image img(cols * (w + gap) + gap, rows * (h + gap) + gap, c, 128);
  const std::vector<float> v = x.to(tensor::DType::Float32).to_vector<float>();
  for (int i = 0; i < n; ++i) {
    const int ox = gap + (i % cols) * (w + gap), oy = gap + (i / cols) * (h + gap);
    for (int y = 0; y < h; ++y)
      for (int xx = 0; xx < w; ++xx)
        for (int k = 0; k < c; ++k) {
          const float value = v[((size_t(i) * c + k) * (h / scale) + y / scale) * (w / scale) + xx / scale];
          const float pixel = std::clamp((value + 1.0f) * 127.5f, 0.0f, 255.0f);  // [-1, 1] -> 0..255
          img.at(ox + xx, oy + y)[k] = static_cast<uint8_t>(std::lround(pixel));
        }
  }
  return img;
}

Image scatter_plot(const tensor::Tensor& points, const tensor::Tensor& second, int size) {
  auto check = [](const tensor::Tensor& p) {
    APPS_CHECK(p.dim() == 2 && p.size(1) == 2, "[scatter_plot] need points (N, 2), got {}",
               tensor::shape_str(p.shape()));
    return p.to(tensor::DType::Float64).to_vector<double>();
  };
  const std::vector<double> a = check(points);
  const std::vector<double> b = second.defined() ? check(second) : std::vector<double>{};

  // One scale for both axes (so circles stay round), centred on the central 99% of all points.
  std::vector<double> xs, ys;
  for (const auto* set : {&a, &b})
    for (size_t i = 0; i + 1 < set->size(); i += 2) {
      if (!std::isfinite((*set)[i]) || !std::isfinite((*set)[i + 1])) continue;
      xs.push_back((*set)[i]);
      ys.push_back((*set)[i + 1]);
    }
  APPS_CHECK(!xs.empty(), "[scatter_plot] no finite points to draw");
  const double x_lo = quantile(xs, 0.005), x_hi = quantile(xs, 0.995);
  const double y_lo = quantile(ys, 0.005), y_hi = quantile(ys, 0.995);
  const double half = 0.55 * std::max({x_hi - x_lo, y_hi - y_lo, 1e-6});
  const double cx = 0.5 * (x_lo + x_hi), cy = 0.5 * (y_lo + y_hi);
  APPS_CHECK(std::isfinite(half) && std::isfinite(cx - half) && std::isfinite(cx + half) && std::isfinite(cy - half) &&
                 std::isfinite(cy + half),
             "[scatter_plot] the points span x [{}, {}], y [{}, {}]: too wide a range to draw", x_lo, x_hi, y_lo, y_hi);
  auto px = [&](double x) { return (x - (cx - half)) / (2 * half) * (size - 1); };
  auto py = [&](double y) { return (1 - (y - (cy - half)) / (2 * half)) * (size - 1); };  // y up

  Image img(size, size, 3, 255);
  // Lines at whole multiples k * spacing; counted by index, since far from 0
  // (centre 1e20, view 1e-6 wide) k + 1 may round back to k.
  const double spacing = nice_spacing(2 * half);
  auto grid_lines = [&](double lo, auto draw_at) {
    const double first = std::ceil(lo / spacing);
    for (int i = 0; i <= 12 && (first + i) * spacing <= lo + 2 * half; ++i) draw_at((first + i) * spacing);
  };
  grid_lines(cx - half, [&](double g) { line(img, px(g), 0, px(g), size - 1, kGrid); });
  grid_lines(cy - half, [&](double g) { line(img, 0, py(g), size - 1, py(g), kGrid); });
  // Fainter dots for larger sets, so density shows instead of a solid blob.
  auto draw = [&](const std::vector<double>& set, Rgb color) {
    const double alpha = std::clamp(1000.0 / std::max<double>(set.size() / 2, 1), 0.35, 0.9);
    for (size_t i = 0; i + 1 < set.size(); i += 2) dot(img, px(set[i]), py(set[i + 1]), color, alpha);
  };
  draw(a, kInk);
  draw(b, kSecond);
  return img;
}

void write_loss_curve(const std::string& path, const std::vector<double>& losses, int64_t first_step) {
  APPS_CHECK(!losses.empty(), "[write_loss_curve] {}: no losses to plot", path);
  const std::vector<double> smoothed = smooth(losses);
  double lo = INFINITY, hi = -INFINITY;
  for (double l : losses)
    if (std::isfinite(l) && l > 0) lo = std::min(lo, l), hi = std::max(hi, l);
  if (!(lo < hi)) lo = hi / 2, hi = hi * 2;  // a flat or single-point curve
  const int width = 640, height = 400, left = 70, right = 20, top = 20, bottom = 50;
  const int n = static_cast<int>(losses.size());
  auto px = [&](int i) { return left + (n > 1 ? double(i) / (n - 1) : 0.5) * (width - left - right); };
  auto py = [&](double l) {  // log scale
    const double s = (std::log(std::max(l, lo)) - std::log(lo)) / (std::log(hi) - std::log(lo));
    return top + (1 - s) * (height - top - bottom);
  };

  if (ends_with(path, ".png")) {
    Image img(width, height, 3, 255);
    line(img, left, top, left, height - bottom, {0, 0, 0});
    line(img, left, height - bottom, width - right, height - bottom, {0, 0, 0});
    for (int i = 1; i < n; ++i) line(img, px(i - 1), py(losses[i - 1]), px(i), py(losses[i]), {170, 185, 215}, 0.5);
    for (int i = 1; i < n; ++i) line(img, px(i - 1), py(smoothed[i - 1]), px(i), py(smoothed[i]), kInk);
    write_png(path, img);
    return;
  }
  APPS_CHECK(ends_with(path, ".svg"), "{}: the loss curve is written as .svg or .png", path);
  auto polyline = [&](const std::vector<double>& v, const char* style) {
    std::string points;
    // At most ~2000 vertices: enough for 640 pixels, and the file stays small.
    const int stride = std::max(1, n / 2000);
    for (int i = 0; i < n; i += stride) points += fmt::format("{:.1f},{:.1f} ", px(i), py(v[i]));
    return fmt::format("<polyline fill=\"none\" {} points=\"{}\"/>\n", style, points);
  };
  std::ostringstream out;
  out << fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"sans-serif\" "
                     "font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
                     width, height);
  out << fmt::format("<path d=\"M{0},{1} V{2} H{3}\" stroke=\"black\" fill=\"none\"/>\n", left, top, height - bottom,
                     width - right);
  out << polyline(losses, "stroke=\"#aab9d7\" stroke-width=\"0.7\"");
  out << polyline(smoothed, "stroke=\"#283c6e\" stroke-width=\"1.5\"");
  out << fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{:.3g}</text>\n", left - 5, top + 4, hi);
  out << fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{:.3g}</text>\n", left - 5, height - bottom, lo);
  out << fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", left, height - bottom + 18,
                     first_step);
  out << fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", width - right, height - bottom + 18,
                     first_step + n - 1);
  out << fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">step</text>\n", (left + width - right) / 2,
                     height - 12);
  out << fmt::format("<text x=\"15\" y=\"{}\" transform=\"rotate(-90 15 {})\" text-anchor=\"middle\">"
                     "loss (log scale; dark: smoothed)</text>\n</svg>\n",
                     (top + height - bottom) / 2, (top + height - bottom) / 2);
  nn::write_file_atomically(path, out.str());  // complete or absent (Note [Atomic writes])
}

void write_samples(const std::string& path, const tensor::Tensor& x) {
  if (ends_with(path, ".npy")) return write_npy(path, x);
  APPS_CHECK(ends_with(path, ".png"), "{}: the output is written as .npy or .png", path);
  if (x.dim() == 2 && x.size(1) == 2) return write_png(path, scatter_plot(x));
  APPS_CHECK(x.dim() == 4, "{}: cannot draw samples of shape {} (need (N, 2) or (N, C, H, W))", path,
             tensor::shape_str(x.shape()));
  write_png(path, image_grid(x));
}

}  // namespace apps
