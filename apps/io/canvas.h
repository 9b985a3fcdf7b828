// A drawing surface for figures of several panels: a Panel maps data
// coordinates (y up) to the pixels of an Image and draws anti-aliased dots,
// lines and polylines; text is a built-in 5x8 pixel font; add_axes frames a
// panel with ticks and labels (placed by ticks.h), draw_legend names colours,
// hstack and add_title lay panels out. figures.h has the stock plots.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "apps/io/png.h"
#include "apps/io/ticks.h"

namespace apps {

struct Color {
  uint8_t r, g, b;
};

// A view of the data rectangle [x_lo, x_hi] x [y_lo, y_hi] on a white RGB
// image. Drawing cost is bounded by the image, whatever the coordinates:
// shapes are clipped to it, and non-finite ones skipped.
class Panel {
 public:
  // Square pixels: the height follows from width and the ranges.
  Panel(int width, double x_lo, double x_hi, double y_lo, double y_hi);
  // Each axis stretched to its own pixel count.
  Panel(int width, int height, double x_lo, double x_hi, double y_lo, double y_hi);

  // Light lines at every multiple of `spacing` (at most 1000 per axis), the axes
  // x = 0 and y = 0 a little darker.
  void grid(double spacing);
  // The same at the given ticks' positions.
  void grid(const std::vector<Tick>& x_ticks, const std::vector<Tick>& y_ticks);
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
  // Data coordinates to pixel coordinates (y up); the pixel (0, 0) spans [0, 1) x [0, 1).
  double to_px(double x) const { return (x - x_lo_) * x_pixels_per_unit_; }
  double to_py(double y) const { return (y_hi_ - y) * y_pixels_per_unit_; }

 private:
  Image image_;
  double x_lo_, y_hi_, x_pixels_per_unit_, y_pixels_per_unit_;
};

// Mixes `color` into pixel (x, y) with weight alpha in [0, 1]; ignores pixels off the image.
void blend(Image& image, int x, int y, Color color, double alpha);
// The font: printable ASCII letters, digits and " =.,-+()/:<>_|?'"; other characters draw as '?'.
// A glyph is 5 x 8 font pixels (the 8th row holds descenders), advancing 6.
void draw_text(Image& image, int px, int py, const std::string& s, Color color, int scale = 2);
int text_width(const std::string& s, int scale = 2);

// What a plot's axes say: ticks in the panel's data units (log10 of the
// value on a log axis) and labels, the axis titles, and a title above.
struct Axes {
  std::vector<Tick> x_ticks, y_ticks;
  std::string x_title, y_title, title;
};
// The white space add_axes puts around a panel for these axes.
struct Margins {
  int left, right, top, bottom;
};
Margins axes_margins(const Axes& axes);
// The panel in a frame, with tick marks and labels outside it (a label that
// would overlap its neighbour is left out), the x title below, the y title
// above the y labels, and the title on top; the panel sits at (left, top).
Image add_axes(const Panel& panel, const Axes& axes);

// A colour key: one swatch and label per entry, in a white box whose
// top-right corner is at pixel (right, top).
struct LegendEntry {
  Color color;
  std::string label;
};
void draw_legend(Image& image, int right, int top, const std::vector<LegendEntry>& entries, int scale = 2);

// Copies `source` (RGB) into `target` (RGB) with its top-left corner at (left, top), clipped to target.
void paste(Image& target, const Image& source, int left, int top);
// The panel with `title` centred in a white band above it.
Image add_title(const Image& panel, const std::string& title, int scale = 2);
// Images side by side, top-aligned, `gap` pixels of white between them.
Image hstack(const std::vector<Image>& images, int gap = 10);

}  // namespace apps
