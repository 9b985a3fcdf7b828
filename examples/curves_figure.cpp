// curves_figure: a line chart (PNG) of the series in a tab-separated table,
// such as FD against NFE per sampler (scripts/solver-nfe-table.sh) or FD
// against training time per run. The table's first line names its columns;
// the parsing is apps/io/series_tsv.h, the drawing apps/io/line_chart.h.
// Run: ./build/bin/curves_figure --tsv nfe.tsv --series sampler --x nfe --y fd --log-x --out nfe.png
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <string>
#include <vector>

#include "apps/error.h"
#include "apps/io/line_chart.h"
#include "apps/io/png.h"
#include "apps/io/series_tsv.h"

namespace {

// "VALUE" or "VALUE:LABEL" (the label may hold more colons).
apps::ReferenceLine parse_reference_line(const std::string& spec) {
  const size_t colon = spec.find(':');
  const std::string value = spec.substr(0, colon);
  size_t used = 0;
  double y = 0;
  try {
    y = std::stod(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != value.size())
    throw apps::Error(fmt::format("--hline '{}': '{}' is not a number", spec, value));
  return {y, colon == std::string::npos ? value : spec.substr(colon + 1)};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"A line chart (PNG) of the series of a tab-separated table: one line with markers per series"};
  std::string tsv, out;
  apps::SeriesColumns columns;
  apps::LineChartOptions options;
  std::vector<std::string> hlines;
  app.add_option("--tsv", tsv, "the table: a header line naming the columns, then one row per point")->required();
  app.add_option("--out", out, "FILE.png")->required();
  app.add_option("--series", columns.series, "the column naming each point's series")->capture_default_str();
  app.add_option("--x", columns.x, "the column of x")->capture_default_str();
  app.add_option("--y", columns.y, "the column of y")->capture_default_str();
  app.add_flag("--log-x", options.log_x, "log scale on x");
  app.add_flag("--log-y", options.log_y, "log scale on y");
  app.add_option("--title", options.title, "text above the plot");
  app.add_option("--x-title", options.x_title, "the x axis's title (default: the x column's name)");
  app.add_option("--y-title", options.y_title, "the y axis's title (default: the y column's name)");
  app.add_option("--hline", hlines, "VALUE or VALUE:LABEL: a dashed horizontal reference line (repeatable)");
  app.add_option("--width", options.width, "pixels")->capture_default_str();
  app.add_option("--height", options.height, "pixels")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    if (options.x_title.empty()) options.x_title = columns.x;
    if (options.y_title.empty()) options.y_title = columns.y;
    for (const std::string& spec : hlines) options.reference_lines.push_back(parse_reference_line(spec));
    const std::vector<apps::SeriesPoint> points = apps::read_series_tsv(tsv, columns);
    apps::write_png(out, apps::line_chart(points, options));
    fmt::print("wrote {} ({} points)\n", out, points.size());
  } catch (const std::exception& e) {
    fmt::print(stderr, "curves_figure: {}\n", e.what());
    return 1;
  }
  return 0;
}
