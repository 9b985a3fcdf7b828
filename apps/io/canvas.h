// A drawing surface for figures of several panels: a Panel maps data
// coordinates (y up) to the pixels of an Image and draws anti-aliased dots,
// lines and polylines; text is a built-in 5x8 pixel font; hstack and
// add_title lay panels out. No axes or ticks: figures.h has the stock plots.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "apps/io/png.h"

namespace apps {

struct Color {
  uint8_t r, g, b;
};

// One square-pixel view of the data rectangle [x_lo, x_hi] x [y_lo, y_hi]
// on a white RGB image; the pixel size follows from width and the ranges.
class Panel {
 public:
  Panel(int width, double x_lo, double x_hi, double y_lo, double y_hi);

  // Light lines at every multiple of `spacing`, the axes x = 0 and y = 0 a little darker.
  void grid(double spacing);
  // A disc of `radius` pixels centred on data point (x, y).
  void dot(double x, double y, Color color, double radius = 1.5, double alpha = 1.0);
  // A segment `width` pixels wide between two data points.
  void line(double x0, double y0, double x1, double y1, Color color, double width = 1.0, double alpha = 1.0);
  // xy = x0, y0, x1, y1, ...: consecutive points joined by lines whose opacity
  // rises from alpha_first to alpha_last with the square of the fraction of the
  // path behind them (in eighths), so a long path stays faint until its end.
  void polyline(const std::vector<double>& xy, Color color, double width = 1.0, double alpha_first = 1.0,
                double alpha_last = 1.0);
  // Text with its top-left corner at pixel (px, py), each font pixel `scale` x `scale`.
  void text(int px, int py, const std::string& s, Color color, int scale = 2);

  const Image& image() const { return image_; }

 private:
  double to_px(double x) const { return (x - x_lo_) * pixels_per_unit_; }
  double to_py(double y) const { return (y_hi_ - y) * pixels_per_unit_; }  // y up
  Image image_;
  double x_lo_, y_hi_, pixels_per_unit_;
};

// Mixes `color` into pixel (x, y) with weight alpha in [0, 1]; ignores pixels off the image.
void blend(Image& image, int x, int y, Color color, double alpha);
// The font: printable ASCII letters, digits and " =.,-+()/:<>_|?'"; other characters draw as '?'.
// A glyph is 5 x 8 font pixels (the 8th row holds descenders), advancing 6.
void draw_text(Image& image, int px, int py, const std::string& s, Color color, int scale = 2);
int text_width(const std::string& s, int scale = 2);

// The panel with `title` centred in a white band above it.
Image add_title(const Image& panel, const std::string& title, int scale = 2);
// Images side by side, top-aligned, `gap` pixels of white between them.
Image hstack(const std::vector<Image>& images, int gap = 10);

}  // namespace apps
