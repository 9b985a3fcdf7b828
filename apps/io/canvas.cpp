// Drawing for canvas.h. Shapes are anti-aliased by coverage: a pixel takes
// the colour in proportion to how much of it lies inside the shape, judged
// by its centre's distance to the shape. The font is a table of bitmaps.
#include "apps/io/canvas.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "apps/error.h"

namespace apps {
namespace {

constexpr Color kGridLine{232, 232, 232};
constexpr Color kAxis{200, 200, 200};

// One glyph: 8 rows top to bottom, each 5 bits, the leftmost pixel in the
// high bit, so the 1s in the binary literals draw the letter.
struct Glyph {
  char c;
  std::array<uint8_t, 8> rows;
};

// clang-format off
constexpr Glyph kFont[] = {
  {' ', {0b00000, 0b00000, 0b00000, 0b00000, 0b00000, 0b00000, 0b00000, 0b00000}},
  {'0', {0b01110, 0b10001, 0b10011, 0b10101, 0b11001, 0b10001, 0b01110, 0b00000}},
  {'1', {0b00100, 0b01100, 0b00100, 0b00100, 0b00100, 0b00100, 0b01110, 0b00000}},
  {'2', {0b01110, 0b10001, 0b00001, 0b00010, 0b00100, 0b01000, 0b11111, 0b00000}},
  {'3', {0b11111, 0b00010, 0b00100, 0b00010, 0b00001, 0b10001, 0b01110, 0b00000}},
  {'4', {0b00010, 0b00110, 0b01010, 0b10010, 0b11111, 0b00010, 0b00010, 0b00000}},
  {'5', {0b11111, 0b10000, 0b11110, 0b00001, 0b00001, 0b10001, 0b01110, 0b00000}},
  {'6', {0b00110, 0b01000, 0b10000, 0b11110, 0b10001, 0b10001, 0b01110, 0b00000}},
  {'7', {0b11111, 0b00001, 0b00010, 0b00100, 0b01000, 0b01000, 0b01000, 0b00000}},
  {'8', {0b01110, 0b10001, 0b10001, 0b01110, 0b10001, 0b10001, 0b01110, 0b00000}},
  {'9', {0b01110, 0b10001, 0b10001, 0b01111, 0b00001, 0b00010, 0b01100, 0b00000}},
  {'A', {0b01110, 0b10001, 0b10001, 0b11111, 0b10001, 0b10001, 0b10001, 0b00000}},
  {'B', {0b11110, 0b10001, 0b10001, 0b11110, 0b10001, 0b10001, 0b11110, 0b00000}},
  {'C', {0b01110, 0b10001, 0b10000, 0b10000, 0b10000, 0b10001, 0b01110, 0b00000}},
  {'D', {0b11100, 0b10010, 0b10001, 0b10001, 0b10001, 0b10010, 0b11100, 0b00000}},
  {'E', {0b11111, 0b10000, 0b10000, 0b11110, 0b10000, 0b10000, 0b11111, 0b00000}},
  {'F', {0b11111, 0b10000, 0b10000, 0b11110, 0b10000, 0b10000, 0b10000, 0b00000}},
  {'G', {0b01110, 0b10001, 0b10000, 0b10111, 0b10001, 0b10001, 0b01111, 0b00000}},
  {'H', {0b10001, 0b10001, 0b10001, 0b11111, 0b10001, 0b10001, 0b10001, 0b00000}},
  {'I', {0b01110, 0b00100, 0b00100, 0b00100, 0b00100, 0b00100, 0b01110, 0b00000}},
  {'J', {0b00111, 0b00010, 0b00010, 0b00010, 0b00010, 0b10010, 0b01100, 0b00000}},
  {'K', {0b10001, 0b10010, 0b10100, 0b11000, 0b10100, 0b10010, 0b10001, 0b00000}},
  {'L', {0b10000, 0b10000, 0b10000, 0b10000, 0b10000, 0b10000, 0b11111, 0b00000}},
  {'M', {0b10001, 0b11011, 0b10101, 0b10101, 0b10001, 0b10001, 0b10001, 0b00000}},
  {'N', {0b10001, 0b10001, 0b11001, 0b10101, 0b10011, 0b10001, 0b10001, 0b00000}},
  {'O', {0b01110, 0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b01110, 0b00000}},
  {'P', {0b11110, 0b10001, 0b10001, 0b11110, 0b10000, 0b10000, 0b10000, 0b00000}},
  {'Q', {0b01110, 0b10001, 0b10001, 0b10001, 0b10101, 0b10010, 0b01101, 0b00000}},
  {'R', {0b11110, 0b10001, 0b10001, 0b11110, 0b10100, 0b10010, 0b10001, 0b00000}},
  {'S', {0b01111, 0b10000, 0b10000, 0b01110, 0b00001, 0b00001, 0b11110, 0b00000}},
  {'T', {0b11111, 0b00100, 0b00100, 0b00100, 0b00100, 0b00100, 0b00100, 0b00000}},
  {'U', {0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b01110, 0b00000}},
  {'V', {0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b01010, 0b00100, 0b00000}},
  {'W', {0b10001, 0b10001, 0b10001, 0b10101, 0b10101, 0b10101, 0b01010, 0b00000}},
  {'X', {0b10001, 0b10001, 0b01010, 0b00100, 0b01010, 0b10001, 0b10001, 0b00000}},
  {'Y', {0b10001, 0b10001, 0b10001, 0b01010, 0b00100, 0b00100, 0b00100, 0b00000}},
  {'Z', {0b11111, 0b00001, 0b00010, 0b00100, 0b01000, 0b10000, 0b11111, 0b00000}},
  {'a', {0b00000, 0b00000, 0b01110, 0b00001, 0b01111, 0b10001, 0b01111, 0b00000}},
  {'b', {0b10000, 0b10000, 0b10110, 0b11001, 0b10001, 0b10001, 0b11110, 0b00000}},
  {'c', {0b00000, 0b00000, 0b01110, 0b10000, 0b10000, 0b10001, 0b01110, 0b00000}},
  {'d', {0b00001, 0b00001, 0b01101, 0b10011, 0b10001, 0b10001, 0b01111, 0b00000}},
  {'e', {0b00000, 0b00000, 0b01110, 0b10001, 0b11111, 0b10000, 0b01110, 0b00000}},
  {'f', {0b00110, 0b01001, 0b01000, 0b11100, 0b01000, 0b01000, 0b01000, 0b00000}},
  {'g', {0b00000, 0b00000, 0b01111, 0b10001, 0b10001, 0b01111, 0b00001, 0b01110}},
  {'h', {0b10000, 0b10000, 0b10110, 0b11001, 0b10001, 0b10001, 0b10001, 0b00000}},
  {'i', {0b00100, 0b00000, 0b01100, 0b00100, 0b00100, 0b00100, 0b01110, 0b00000}},
  {'j', {0b00010, 0b00000, 0b00110, 0b00010, 0b00010, 0b00010, 0b10010, 0b01100}},
  {'k', {0b10000, 0b10000, 0b10010, 0b10100, 0b11000, 0b10100, 0b10010, 0b00000}},
  {'l', {0b01100, 0b00100, 0b00100, 0b00100, 0b00100, 0b00100, 0b01110, 0b00000}},
  {'m', {0b00000, 0b00000, 0b11010, 0b10101, 0b10101, 0b10001, 0b10001, 0b00000}},
  {'n', {0b00000, 0b00000, 0b10110, 0b11001, 0b10001, 0b10001, 0b10001, 0b00000}},
  {'o', {0b00000, 0b00000, 0b01110, 0b10001, 0b10001, 0b10001, 0b01110, 0b00000}},
  {'p', {0b00000, 0b00000, 0b11110, 0b10001, 0b10001, 0b11110, 0b10000, 0b10000}},
  {'q', {0b00000, 0b00000, 0b01111, 0b10001, 0b10001, 0b01111, 0b00001, 0b00001}},
  {'r', {0b00000, 0b00000, 0b10110, 0b11001, 0b10000, 0b10000, 0b10000, 0b00000}},
  {'s', {0b00000, 0b00000, 0b01111, 0b10000, 0b01110, 0b00001, 0b11110, 0b00000}},
  {'t', {0b01000, 0b01000, 0b11100, 0b01000, 0b01000, 0b01001, 0b00110, 0b00000}},
  {'u', {0b00000, 0b00000, 0b10001, 0b10001, 0b10001, 0b10011, 0b01101, 0b00000}},
  {'v', {0b00000, 0b00000, 0b10001, 0b10001, 0b10001, 0b01010, 0b00100, 0b00000}},
  {'w', {0b00000, 0b00000, 0b10001, 0b10001, 0b10101, 0b10101, 0b01010, 0b00000}},
  {'x', {0b00000, 0b00000, 0b10001, 0b01010, 0b00100, 0b01010, 0b10001, 0b00000}},
  {'y', {0b00000, 0b00000, 0b10001, 0b10001, 0b10001, 0b01111, 0b00001, 0b01110}},
  {'z', {0b00000, 0b00000, 0b11111, 0b00010, 0b00100, 0b01000, 0b11111, 0b00000}},
  {'=', {0b00000, 0b00000, 0b11111, 0b00000, 0b11111, 0b00000, 0b00000, 0b00000}},
  {'.', {0b00000, 0b00000, 0b00000, 0b00000, 0b00000, 0b01100, 0b01100, 0b00000}},
  {',', {0b00000, 0b00000, 0b00000, 0b00000, 0b00000, 0b01100, 0b00100, 0b01000}},
  {'-', {0b00000, 0b00000, 0b00000, 0b11111, 0b00000, 0b00000, 0b00000, 0b00000}},
  {'+', {0b00000, 0b00100, 0b00100, 0b11111, 0b00100, 0b00100, 0b00000, 0b00000}},
  {'(', {0b00010, 0b00100, 0b01000, 0b01000, 0b01000, 0b00100, 0b00010, 0b00000}},
  {')', {0b01000, 0b00100, 0b00010, 0b00010, 0b00010, 0b00100, 0b01000, 0b00000}},
  {'/', {0b00000, 0b00001, 0b00010, 0b00100, 0b01000, 0b10000, 0b00000, 0b00000}},
  {':', {0b00000, 0b01100, 0b01100, 0b00000, 0b01100, 0b01100, 0b00000, 0b00000}},
  {'<', {0b00010, 0b00100, 0b01000, 0b10000, 0b01000, 0b00100, 0b00010, 0b00000}},
  {'>', {0b01000, 0b00100, 0b00010, 0b00001, 0b00010, 0b00100, 0b01000, 0b00000}},
  {'_', {0b00000, 0b00000, 0b00000, 0b00000, 0b00000, 0b00000, 0b00000, 0b11111}},
  {'|', {0b00100, 0b00100, 0b00100, 0b00100, 0b00100, 0b00100, 0b00100, 0b00000}},
  {'\'', {0b00100, 0b00100, 0b01000, 0b00000, 0b00000, 0b00000, 0b00000, 0b00000}},
  {'?', {0b01110, 0b10001, 0b00001, 0b00010, 0b00100, 0b00000, 0b00100, 0b00000}},
};
// clang-format on

const Glyph& glyph(char c) {
  for (const Glyph& g : kFont)
    if (g.c == c) return g;
  return glyph('?');
}

// How much of a pixel whose centre lies `distance` from the edge of a shape
// (negative: inside) is covered: 1 well inside, 0 well outside, linear across one pixel.
// Rounded to quarters: four shades per colour look the same as many, and
// compress far better (the figures stay a few tens of KB).
double coverage(double distance) { return std::round(4 * std::clamp(0.5 - distance, 0.0, 1.0)) / 4; }

}  // namespace

void blend(Image& image, int x, int y, Color color, double alpha) {
  if (x < 0 || y < 0 || x >= image.width || y >= image.height || alpha <= 0) return;
  uint8_t* p = image.at(x, y);
  const uint8_t c[3] = {color.r, color.g, color.b};
  for (int k = 0; k < 3; ++k) p[k] = static_cast<uint8_t>(std::lround(p[k] * (1 - alpha) + c[k] * alpha));
}

Panel::Panel(int width, double x_lo, double x_hi, double y_lo, double y_hi)
    : Panel(width, x_hi > x_lo && width > 0 ? static_cast<int>(std::lround((y_hi - y_lo) * width / (x_hi - x_lo))) : 0,
            x_lo, x_hi, y_lo, y_hi) {}

Panel::Panel(int width, int height, double x_lo, double x_hi, double y_lo, double y_hi)
    : x_lo_(x_lo), y_hi_(y_hi), x_pixels_per_unit_(width / (x_hi - x_lo)), y_pixels_per_unit_(height / (y_hi - y_lo)) {
  APPS_CHECK(width > 0 && height > 0 && width <= 16384 && height <= 16384 && x_hi > x_lo && y_hi > y_lo && std::isfinite(x_pixels_per_unit_) &&
                 std::isfinite(y_pixels_per_unit_) && x_pixels_per_unit_ > 0 && y_pixels_per_unit_ > 0,
             "[Panel] need a non-empty finite range and image, got {} x {} px, x [{}, {}], y [{}, {}]", width, height,
             x_lo, x_hi, y_lo, y_hi);
  image_ = Image(width, height, 3, 255);
}

void Panel::grid(double spacing) {
  const double x_hi = x_lo_ + image_.width / x_pixels_per_unit_, y_lo = y_hi_ - image_.height / y_pixels_per_unit_;
  APPS_CHECK(spacing > 0 && (x_hi - x_lo_) / spacing <= 1000 && (y_hi_ - y_lo) / spacing <= 1000,
             "[Panel::grid] spacing {} gives more than 1000 lines over x [{}, {}], y [{}, {}]", spacing, x_lo_, x_hi,
             y_lo, y_hi_);
  std::vector<Tick> xs, ys;
  // Counted by index: far from 0, x += spacing may not move x at all.
  const double x_first = std::ceil(x_lo_ / spacing), y_first = std::ceil(y_lo / spacing);
  for (int i = 0; i <= 1000 && (x_first + i) * spacing <= x_hi; ++i) xs.push_back({(x_first + i) * spacing, ""});
  for (int i = 0; i <= 1000 && (y_first + i) * spacing <= y_hi_; ++i) ys.push_back({(y_first + i) * spacing, ""});
  grid(xs, ys);
}

void Panel::grid(const std::vector<Tick>& x_ticks, const std::vector<Tick>& y_ticks) {
  const double x_hi = x_lo_ + image_.width / x_pixels_per_unit_, y_lo = y_hi_ - image_.height / y_pixels_per_unit_;
  // Zero is told by its distance in pixels, so it is found at any scale.
  for (const Tick& t : x_ticks)
    line(t.at, y_lo, t.at, y_hi_, std::abs(to_px(t.at) - to_px(0)) < 1e-3 ? kAxis : kGridLine);
  for (const Tick& t : y_ticks)
    line(x_lo_, t.at, x_hi, t.at, std::abs(to_py(t.at) - to_py(0)) < 1e-3 ? kAxis : kGridLine);
}

void Panel::dot(double x, double y, Color color, double radius, double alpha) {
  const double cx = to_px(x), cy = to_py(y), reach = radius + 1;
  // Off the image (or not finite): nothing to draw; the test is also what keeps the casts below defined.
  if (!(cx > -reach && cx < image_.width + reach && cy > -reach && cy < image_.height + reach)) return;
  for (int py = static_cast<int>(std::floor(cy - reach)); py <= cy + reach; ++py)
    for (int px = static_cast<int>(std::floor(cx - reach)); px <= cx + reach; ++px) {
      const double distance = std::hypot(px + 0.5 - cx, py + 0.5 - cy) - radius;
      blend(image_, px, py, color, alpha * coverage(distance));
    }
}

void Panel::line(double x0, double y0, double x1, double y1, Color color, double width, double alpha) {
  const double ax = to_px(x0), ay = to_py(y0), bx = to_px(x1), by = to_py(y1);
  if (!std::isfinite(ax) || !std::isfinite(ay) || !std::isfinite(bx) || !std::isfinite(by)) return;
  const double dx = bx - ax, dy = by - ay, length2 = dx * dx + dy * dy;
  const double pad = width / 2 + 1;
  // The pixels of the segment's bounding box that lie on the image: a segment
  // reaching far off the image costs no more than the image.
  auto clip = [](double v, int size) { return static_cast<int>(std::clamp(v, -1.0, static_cast<double>(size))); };
  const int x_first = clip(std::floor(std::min(ax, bx) - pad), image_.width);
  const int x_last = clip(std::ceil(std::max(ax, bx) + pad), image_.width);
  const int y_first = clip(std::floor(std::min(ay, by) - pad), image_.height);
  const int y_last = clip(std::ceil(std::max(ay, by) + pad), image_.height);
  for (int py = y_first; py <= y_last; ++py)
    for (int px = x_first; px <= x_last; ++px) {
      // Distance from the pixel centre to the nearest point of the segment.
      const double cx = px + 0.5, cy = py + 0.5;
      const double s = length2 > 0 ? std::clamp(((cx - ax) * dx + (cy - ay) * dy) / length2, 0.0, 1.0) : 0.0;
      const double distance = std::hypot(cx - (ax + s * dx), cy - (ay + s * dy)) - width / 2;
      blend(image_, px, py, color, alpha * coverage(distance));
    }
}

void Panel::polyline(const std::vector<double>& xy, Color color, double width, double alpha_first, double alpha_last) {
  APPS_CHECK(xy.size() % 2 == 0, "[Panel::polyline] need x, y pairs, got {} values", xy.size());
  if (xy.size() < 4) return;  // fewer than two points: nothing to join
  const size_t segments = xy.size() / 2 - 1;
  // Joints are drawn twice, so a translucent path shows faint beads there; fine at these widths.
  for (size_t k = 0; k < segments; ++k) {
    const double progress = segments > 1 ? double(k) / (segments - 1) : 1.0;
    const double ramp = std::round(8 * progress * progress) / 8;  // eighths, for the reason of coverage()
    const double alpha = alpha_first + ramp * (alpha_last - alpha_first);
    line(xy[2 * k], xy[2 * k + 1], xy[2 * k + 2], xy[2 * k + 3], color, width, alpha);
  }
}

void Panel::text(int px, int py, const std::string& s, Color color, int scale) {
  draw_text(image_, px, py, s, color, scale);
}

void draw_text(Image& image, int px, int py, const std::string& s, Color color, int scale) {
  for (size_t i = 0; i < s.size(); ++i) {
    const Glyph& g = glyph(s[i]);
    const int left = px + static_cast<int>(i) * 6 * scale;
    for (int row = 0; row < 8; ++row)
      for (int col = 0; col < 5; ++col) {
        if (!(g.rows[row] >> (4 - col) & 1)) continue;
        for (int y = 0; y < scale; ++y)
          for (int x = 0; x < scale; ++x) blend(image, left + col * scale + x, py + row * scale + y, color, 1.0);
      }
  }
}

int text_width(const std::string& s, int scale) { return s.empty() ? 0 : (6 * static_cast<int>(s.size()) - 1) * scale; }

void paste(Image& target, const Image& source, int left, int top) {
  APPS_CHECK(target.channels == 3 && source.channels == 3, "[paste] need RGB images, got {} and {} channels",
             target.channels, source.channels);
  const int x_first = std::max(0, -left), x_last = std::min(source.width, target.width - left);
  if (x_first >= x_last) return;
  for (int y = std::max(0, -top); y < std::min(source.height, target.height - top); ++y)
    std::copy_n(source.pixels.begin() + (size_t(y) * source.width + x_first) * 3, size_t(x_last - x_first) * 3,
                target.at(left + x_first, top + y));
}

namespace {

constexpr Color kBlack{0, 0, 0};
constexpr Color kFrame{90, 90, 90};
constexpr int kTitleScale = 2;
constexpr int kTickLength = 5, kLabelGap = 4, kEdge = 8;

void fill_rect(Image& image, int left, int top, int width, int height, Color color) {
  for (int y = top; y < top + height; ++y)
    for (int x = left; x < left + width; ++x) blend(image, x, y, color, 1.0);
}

// Tick labels are drawn at font scale 2, or 1 when one of them is long (such
// as "1.000000002e8"), so the margins stay a fraction of the figure.
int label_scale(const Axes& axes) {
  size_t longest = 0;
  for (const auto* ticks : {&axes.x_ticks, &axes.y_ticks})
    for (const Tick& t : *ticks) longest = std::max(longest, t.label.size());
  return longest > 8 ? 1 : 2;
}

// The bands above the panel, top down: the title, the y axis's title, half a label.
int title_band(const Axes& axes) { return axes.title.empty() ? 0 : 12 * kTitleScale; }
int y_title_band(const Axes& axes) { return axes.y_title.empty() ? 0 : 8 * label_scale(axes) + 6; }

int widest_label(const std::vector<Tick>& ticks, int scale) {
  int widest = 0;
  for (const Tick& t : ticks) widest = std::max(widest, text_width(t.label, scale));
  return widest;
}

}  // namespace

Margins axes_margins(const Axes& axes) {
  const int ls = label_scale(axes);
  Margins m{};
  m.left = kEdge + widest_label(axes.y_ticks, ls) + kLabelGap + kTickLength;
  m.right = std::max(kEdge + 4, widest_label(axes.x_ticks, ls) / 2 + 4);
  m.top = kEdge + title_band(axes) + y_title_band(axes) + 4 * ls;
  m.bottom = kTickLength + kLabelGap + 8 * ls + (axes.x_title.empty() ? 0 : 6 + 8 * ls) + kEdge;
  return m;
}

Image add_axes(const Panel& panel, const Axes& axes) {
  const Margins m = axes_margins(axes);
  const int ls = label_scale(axes), w = panel.image().width, h = panel.image().height;
  Image out(w + m.left + m.right, h + m.top + m.bottom, 3, 255);
  paste(out, panel.image(), m.left, m.top);
  fill_rect(out, m.left - 1, m.top - 1, w + 2, 1, kFrame);
  fill_rect(out, m.left - 1, m.top + h, w + 2, 1, kFrame);
  fill_rect(out, m.left - 1, m.top - 1, 1, h + 2, kFrame);
  fill_rect(out, m.left + w, m.top - 1, 1, h + 2, kFrame);

  // Ticks outside the panel are skipped; labels that would touch the previous one are left out.
  int last_right = -1000000;
  for (const Tick& t : axes.x_ticks) {
    const double px = panel.to_px(t.at);
    if (!(px >= 0 && px <= w)) continue;
    const int x = m.left + std::min(static_cast<int>(px), w - 1);
    fill_rect(out, x, m.top + h + 1, 1, kTickLength, kFrame);
    const int width = text_width(t.label, ls), left = x - width / 2;
    if (left <= last_right + 3 * ls) continue;
    draw_text(out, left, m.top + h + 1 + kTickLength + kLabelGap, t.label, kBlack, ls);
    last_right = left + width;
  }
  int last_top = 1000000;
  for (const Tick& t : axes.y_ticks) {
    const double py = panel.to_py(t.at);
    if (!(py >= 0 && py <= h)) continue;
    const int y = m.top + std::min(static_cast<int>(py), h - 1);
    fill_rect(out, m.left - 1 - kTickLength, y, kTickLength, 1, kFrame);
    const int top = y - 4 * ls;
    if (top + 10 * ls > last_top) continue;  // the ticks go up: the last label is below this one
    draw_text(out, m.left - 1 - kTickLength - kLabelGap - text_width(t.label, ls), top, t.label, kBlack, ls);
    last_top = top;
  }
  if (!axes.x_title.empty())
    draw_text(out, m.left + (w - text_width(axes.x_title, ls)) / 2, m.top + h + kTickLength + kLabelGap + 8 * ls + 6,
              axes.x_title, kBlack, ls);
  if (!axes.y_title.empty()) draw_text(out, kEdge, kEdge + title_band(axes), axes.y_title, kBlack, ls);
  if (!axes.title.empty())
    draw_text(out, m.left + (w - text_width(axes.title, kTitleScale)) / 2, kEdge, axes.title, kBlack, kTitleScale);
  return out;
}

void draw_legend(Image& image, int right, int top, const std::vector<LegendEntry>& entries, int scale) {
  if (entries.empty()) return;
  const int pad = 3 * scale, row = 10 * scale, swatch = 6 * scale;
  int widest = 0;
  for (const LegendEntry& e : entries) widest = std::max(widest, text_width(e.label, scale));
  const int width = pad + swatch + 3 * scale + widest + pad,
            height = pad + row * static_cast<int>(entries.size()) + pad - 2 * scale;
  const int left = right - width;
  fill_rect(image, left, top, width, height, {255, 255, 255});
  fill_rect(image, left, top, width, 1, kAxis);
  fill_rect(image, left, top + height - 1, width, 1, kAxis);
  fill_rect(image, left, top, 1, height, kAxis);
  fill_rect(image, right - 1, top, 1, height, kAxis);
  for (size_t i = 0; i < entries.size(); ++i) {
    const int y = top + pad + row * static_cast<int>(i);
    fill_rect(image, left + pad, y + scale, swatch, swatch, entries[i].color);
    draw_text(image, left + pad + swatch + 3 * scale, y, entries[i].label, kBlack, scale);
  }
}

Image add_title(const Image& panel, const std::string& title, int scale) {
  const int band = 12 * scale;  // 8 font rows and a margin of 2 above and below
  APPS_CHECK(panel.channels == 3, "[add_title] need an RGB image, got {} channels", panel.channels);
  Image out(panel.width, panel.height + band, 3, 255);
  paste(out, panel, 0, band);
  draw_text(out, (panel.width - text_width(title, scale)) / 2, 2 * scale, title, kBlack, scale);
  return out;
}

Image hstack(const std::vector<Image>& images, int gap) {
  APPS_CHECK(!images.empty(), "[hstack] no images");
  int width = gap * static_cast<int>(images.size() - 1), height = 0;
  for (const Image& im : images) {
    APPS_CHECK(im.channels == 3, "[hstack] need RGB images, got {} channels", im.channels);
    width += im.width;
    height = std::max(height, im.height);
  }
  Image out(width, height, 3, 255);
  int left = 0;
  for (const Image& im : images) {
    paste(out, im, left, 0);
    left += im.width + gap;
  }
  return out;
}

}  // namespace apps
