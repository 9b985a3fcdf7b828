// Drawing for line_chart.h: the points grouped into curves (markers, and a
// line through the mean y at each x), the view and ticks, then canvas.h's
// panel, axes and legend.
#include "apps/io/line_chart.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "apps/error.h"
#include "apps/io/ticks.h"

namespace apps {
namespace {

constexpr Color kReference{110, 110, 110};
constexpr int kMaxTicks = 7;
constexpr int kLegendScale = 2, kLegendGap = 12;
constexpr double kMarkerRadius = 3.5, kLineWidth = 2.0;

// One series in axis units (log10 of the value on a log axis).
struct Curve {
  std::string name;
  std::vector<double> marker_x, marker_y;  // every point
  std::vector<double> line_xy;             // x0, y0, x1, y1, ...: the mean y at each distinct x, in increasing x
};

double to_axis(double value, bool log, const char* axis, const std::string& what) {
  if (!log) return value;
  APPS_CHECK(value > 0, "[line_chart] the log {} axis cannot show {} = {} ({})", axis, axis, value, what);
  return std::log10(value);
}

std::vector<Curve> make_curves(const std::vector<SeriesPoint>& points, const LineChartOptions& options) {
  // The points of each series, series in order of first appearance.
  std::vector<std::string> names;
  std::vector<std::vector<SeriesPoint>> members;
  for (const SeriesPoint& p : points) {
    const size_t k = std::find(names.begin(), names.end(), p.series) - names.begin();
    if (k == names.size()) {
      names.push_back(p.series);
      members.emplace_back();
    }
    members[k].push_back(p);
  }
  std::vector<Curve> curves;
  for (size_t k = 0; k < names.size(); ++k) {
    Curve curve{names[k], {}, {}, {}};
    std::vector<SeriesPoint>& mine = members[k];
    std::stable_sort(mine.begin(), mine.end(), [](const SeriesPoint& a, const SeriesPoint& b) { return a.x < b.x; });
    for (size_t first = 0; first < mine.size();) {
      size_t last = first;
      double sum = 0;
      for (; last < mine.size() && mine[last].x == mine[first].x; ++last) {
        const std::string what = fmt::format("series '{}'", names[k]);
        curve.marker_x.push_back(to_axis(mine[last].x, options.log_x, "x", what));
        curve.marker_y.push_back(to_axis(mine[last].y, options.log_y, "y", what));
        sum += mine[last].y;
      }
      curve.line_xy.push_back(curve.marker_x.back());
      curve.line_xy.push_back(to_axis(sum / static_cast<double>(last - first), options.log_y, "y", "a mean"));
      first = last;
    }
    curves.push_back(std::move(curve));
  }
  return curves;
}

std::vector<Tick> axis_ticks(double lo, double hi, bool log) {
  return log ? log_ticks(std::pow(10.0, lo), std::pow(10.0, hi), kMaxTicks) : nice_ticks(lo, hi, kMaxTicks);
}

// A dashed horizontal line across the panel: 30 dashes with gaps as long.
void dashed_line(Panel& panel, double x_lo, double x_hi, double y) {
  constexpr int kDashes = 30;
  const double period = (x_hi - x_lo) / kDashes;
  for (int i = 0; i < kDashes; ++i) panel.line(x_lo + i * period, y, x_lo + (i + 0.5) * period, y, kReference, 1.5);
}

}  // namespace

Color series_color(size_t i) {
  // The "tab10" palette: distinct hues that stay apart for the colour-blind in the first few.
  static constexpr Color kPalette[] = {{31, 119, 180},  {255, 127, 14}, {44, 160, 44},   {214, 39, 40},
                                       {148, 103, 189}, {140, 86, 75},  {227, 119, 194}, {127, 127, 127},
                                       {188, 189, 34},  {23, 190, 207}};
  return kPalette[i % std::size(kPalette)];
}

Image line_chart(const std::vector<SeriesPoint>& points, const LineChartOptions& options) {
  APPS_CHECK(!points.empty(), "[line_chart] no points to draw");
  const std::vector<Curve> curves = make_curves(points, options);

  // The view: every marker and reference line, padded so none sits on the frame.
  double x_lo = INFINITY, x_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;
  for (const Curve& c : curves) {
    x_lo = std::min(x_lo, *std::min_element(c.marker_x.begin(), c.marker_x.end()));
    x_hi = std::max(x_hi, *std::max_element(c.marker_x.begin(), c.marker_x.end()));
    y_lo = std::min(y_lo, *std::min_element(c.marker_y.begin(), c.marker_y.end()));
    y_hi = std::max(y_hi, *std::max_element(c.marker_y.begin(), c.marker_y.end()));
  }
  std::vector<double> reference_y;
  for (const ReferenceLine& r : options.reference_lines) {
    reference_y.push_back(to_axis(r.y, options.log_y, "y", fmt::format("reference line '{}'", r.label)));
    y_lo = std::min(y_lo, reference_y.back());
    y_hi = std::max(y_hi, reference_y.back());
  }
  std::tie(x_lo, x_hi) = padded_range(x_lo, x_hi, 0.06);
  std::tie(y_lo, y_hi) = padded_range(y_lo, y_hi, 0.06);

  Axes axes;
  axes.x_ticks = axis_ticks(x_lo, x_hi, options.log_x);
  axes.y_ticks = axis_ticks(y_lo, y_hi, options.log_y);
  axes.x_title = options.x_title + (options.log_x ? " (log scale)" : "");
  axes.y_title = options.y_title + (options.log_y ? " (log scale)" : "");
  // The title goes above the whole image (add_title), not above the panel alone: a long one would not fit there.
  const int title_band = options.title.empty() ? 0 : 24;  // add_title's band at scale 2

  std::vector<LegendEntry> legend;
  for (size_t k = 0; k < curves.size(); ++k) legend.push_back({series_color(k), curves[k].name});
  for (const ReferenceLine& r : options.reference_lines) legend.push_back({kReference, r.label});
  int widest = 0;
  for (const LegendEntry& e : legend) widest = std::max(widest, text_width(e.label, kLegendScale));
  const int legend_width = (3 + 6 + 3 + 3) * kLegendScale + widest;  // draw_legend's pads, swatch and gap

  const Margins m = axes_margins(axes);
  const int panel_width = options.width - m.left - m.right - kLegendGap - legend_width;
  const int panel_height = options.height - title_band - m.top - m.bottom;
  APPS_CHECK(panel_width >= 64 && panel_height >= 64,
             "[line_chart] a {} x {} image leaves no room for the plot beside its axes and legend", options.width,
             options.height);
  Panel panel(panel_width, panel_height, x_lo, x_hi, y_lo, y_hi);
  panel.grid(axes.x_ticks, axes.y_ticks);
  for (const double y : reference_y) dashed_line(panel, x_lo, x_hi, y);
  for (size_t k = 0; k < curves.size(); ++k) {
    const Curve& c = curves[k];
    panel.polyline(c.line_xy, series_color(k), kLineWidth);
    for (size_t i = 0; i < c.marker_x.size(); ++i)
      panel.dot(c.marker_x[i], c.marker_y[i], series_color(k), kMarkerRadius);
  }

  Image figure(options.width, options.height - title_band, 3, 255);
  paste(figure, add_axes(panel, axes), 0, 0);
  draw_legend(figure, options.width - 4, m.top, legend, kLegendScale);
  return options.title.empty() ? figure : add_title(figure, options.title);
}

}  // namespace apps
