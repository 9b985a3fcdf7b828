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
    : x_lo_(x_lo), y_hi_(y_hi), pixels_per_unit_(width / (x_hi - x_lo)) {
  const double height = (y_hi - y_lo) * pixels_per_unit_;
  APPS_CHECK(width > 0 && width <= 16384 && x_hi > x_lo && y_hi > y_lo && std::isfinite(pixels_per_unit_) &&
                 height >= 0.5 && height <= 16384,
             "[Panel] need 1..16384 px each way and a finite, non-empty range, got {} px, x [{}, {}], y [{}, {}]",
             width, x_lo, x_hi, y_lo, y_hi);
  image_ = Image(width, static_cast<int>(std::lround(height)), 3, 255);
}

void Panel::grid(double spacing) {
  const double x_hi = x_lo_ + image_.width / pixels_per_unit_, y_lo = y_hi_ - image_.height / pixels_per_unit_;
  // At most one line per 2 pixels, counted by index (x += spacing may not move x far from 0).
  const double lines = std::max(x_hi - x_lo_, y_hi_ - y_lo) / spacing;
  APPS_CHECK(spacing > 0 && lines <= 0.5 * std::max(image_.width, image_.height) + 2,
             "[Panel::grid] spacing {} gives {} lines across a {}x{} panel", spacing, lines, image_.width,
             image_.height);
  const double x_first = std::ceil(x_lo_ / spacing), y_first = std::ceil(y_lo / spacing);
  const int max_lines = static_cast<int>(lines) + 1;
  for (int i = 0; i <= max_lines && (x_first + i) * spacing <= x_hi; ++i) {
    const double x = (x_first + i) * spacing;
    line(x, y_lo, x, y_hi_, std::abs(x) < 1e-9 ? kAxis : kGridLine);
  }
  for (int i = 0; i <= max_lines && (y_first + i) * spacing <= y_hi_; ++i) {
    const double y = (y_first + i) * spacing;
    line(x_lo_, y, x_hi, y, std::abs(y) < 1e-9 ? kAxis : kGridLine);
  }
}

void Panel::dot(double x, double y, Color color, double radius, double alpha) {
  const double cx = to_px(x), cy = to_py(y);
  for (int py = static_cast<int>(std::floor(cy - radius - 1)); py <= cy + radius + 1; ++py)
    for (int px = static_cast<int>(std::floor(cx - radius - 1)); px <= cx + radius + 1; ++px) {
      const double distance = std::hypot(px + 0.5 - cx, py + 0.5 - cy) - radius;
      blend(image_, px, py, color, alpha * coverage(distance));
    }
}

void Panel::line(double x0, double y0, double x1, double y1, Color color, double width, double alpha) {
  const double ax = to_px(x0), ay = to_py(y0), bx = to_px(x1), by = to_py(y1);
  const double dx = bx - ax, dy = by - ay, length2 = dx * dx + dy * dy;
  const double pad = width / 2 + 1;
  for (int py = static_cast<int>(std::floor(std::min(ay, by) - pad)); py <= std::max(ay, by) + pad; ++py)
    for (int px = static_cast<int>(std::floor(std::min(ax, bx) - pad)); px <= std::max(ax, bx) + pad; ++px) {
      // Distance from the pixel centre to the nearest point of the segment.
      const double cx = px + 0.5, cy = py + 0.5;
      const double s = length2 > 0 ? std::clamp(((cx - ax) * dx + (cy - ay) * dy) / length2, 0.0, 1.0) : 0.0;
      const double distance = std::hypot(cx - (ax + s * dx), cy - (ay + s * dy)) - width / 2;
      blend(image_, px, py, color, alpha * coverage(distance));
    }
}

void Panel::polyline(const std::vector<double>& xy, Color color, double width, double alpha_first,
                     double alpha_last) {
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

Image add_title(const Image& panel, const std::string& title, int scale) {
  const int band = 12 * scale;  // 8 font rows and a margin of 2 above and below
  APPS_CHECK(panel.channels == 3, "[add_title] need an RGB image, got {} channels", panel.channels);
  Image out(panel.width, panel.height + band, 3, 255);
  std::copy(panel.pixels.begin(), panel.pixels.end(), out.pixels.begin() + size_t(band) * panel.width * 3);
  draw_text(out, (panel.width - text_width(title, scale)) / 2, 2 * scale, title, {0, 0, 0}, scale);
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
    for (int y = 0; y < im.height; ++y)
      std::copy_n(im.pixels.begin() + size_t(y) * im.width * 3, size_t(im.width) * 3, out.at(left, y));
    left += im.width + gap;
  }
  return out;
}

}  // namespace apps
