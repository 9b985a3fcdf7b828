// A line chart of named series (series_tsv.h's points): one coloured line
// with markers per series, linear or log axes with round-number ticks
// (ticks.h), optional dashed horizontal reference lines, and a legend to the
// right of the plot. Drawn with canvas.h as a PNG-ready Image.
#pragma once
#include <string>
#include <vector>

#include "apps/io/canvas.h"
#include "apps/io/png.h"
#include "apps/io/series_tsv.h"

namespace apps {

// A dashed gray line at height y across the plot, with `label` in the legend.
struct ReferenceLine {
  double y;
  std::string label;
};

struct LineChartOptions {
  std::string title, x_title, y_title;
  bool log_x = false, log_y = false;
  std::vector<ReferenceLine> reference_lines;
  int width = 760, height = 460;  // the whole image, legend included
};

// Series are drawn in the order they first appear in `points`, each in
// series_color(i). Within a series a marker sits at every point, and the
// line joins, in increasing x, the mean y of the points at each x: repeated
// runs (several seeds) show as a column of markers around the line. Throws
// apps::Error for no points, a value <= 0 on a log axis (naming the series
// and the value) or a size too small for the plot.
Image line_chart(const std::vector<SeriesPoint>& points, const LineChartOptions& options);

// The colour of the i-th series: ten distinct colours, then again from the first.
Color series_color(size_t i);

}  // namespace apps
