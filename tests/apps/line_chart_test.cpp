// Tests for the series table (apps/io/series_tsv.h) and its line chart
// (apps/io/line_chart.h): columns found by name, every malformed line named
// by file and line, and a chart that draws each series, its mean line, the
// reference lines and refuses what a log axis cannot show.
#include "apps/io/line_chart.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "apps/error.h"
#include "apps/io/canvas.h"
#include "apps/io/series_tsv.h"
#include "test_util.h"

namespace {

using apps_test::expect_error;
using apps_test::TempDir;

TEST(SeriesTsv, ReadsColumnsByNameInFileOrder) {
  const std::string text =
      "sampler\tnfe\tseed\tfd\n"
      "ddim\t10\t1\t39.4\n"
      "\n"  // empty lines are skipped
      "edm-heun\t20\t1\t1.5e1\r\n";
  const auto points = apps::parse_series_tsv(text, "t.tsv", {"sampler", "nfe", "fd"});
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0].series, "ddim");
  EXPECT_EQ(points[0].x, 10.0);
  EXPECT_EQ(points[0].y, 39.4);
  EXPECT_EQ(points[1].series, "edm-heun");
  EXPECT_EQ(points[1].y, 15.0);
}

TEST(SeriesTsv, DefaultColumnsAreSeriesXY) {
  const auto points = apps::parse_series_tsv("y\tseries\tx\n2.5\ta\t-1\n", "t.tsv");
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].series, "a");
  EXPECT_EQ(points[0].x, -1.0);
  EXPECT_EQ(points[0].y, 2.5);
}

TEST(SeriesTsv, BadLinesAreNamedByFileAndLine) {
  const std::string header = "series\tx\ty\n";
  auto parse = [](const std::string& text) { return [text] { apps::parse_series_tsv(text, "runs/nfe.tsv"); }; };
  expect_error(parse(header + "a\t1\t2\nb\t3\n"), {"runs/nfe.tsv:3:", "2 tab-separated fields", "header has 3"});
  expect_error(parse(header + "a\t1\t2\n\nb\tten\t2\n"), {"runs/nfe.tsv:4:", "column 'x' is 'ten'", "not a finite"});
  expect_error(parse(header + "a\t1\t2x\n"), {"runs/nfe.tsv:2:", "column 'y' is '2x'"});
  expect_error(parse(header + "a\t1\tnan\n"), {"runs/nfe.tsv:2:", "column 'y' is 'nan'"});
  expect_error(parse(header + "a\t1\tinf\n"), {"runs/nfe.tsv:2:", "column 'y' is 'inf'"});
  expect_error(parse(header + "a\t1\t1e999\n"), {"runs/nfe.tsv:2:", "column 'y' is '1e999'"});
  expect_error(parse(header + "a\t\t2\n"), {"runs/nfe.tsv:2:", "column 'x' is ''"});
  expect_error(parse(header + "\t1\t2\n"), {"runs/nfe.tsv:2:", "series name) is empty"});
  expect_error(parse(header + "a 1 2\n"), {"runs/nfe.tsv:2:", "1 tab-separated fields"});
}

TEST(SeriesTsv, BadHeadersAndEmptyTables) {
  auto parse = [](const std::string& text) { return [text] { apps::parse_series_tsv(text, "runs/nfe.tsv"); }; };
  expect_error(parse(""), {"runs/nfe.tsv: no header line"});
  expect_error(parse("series\tx\ty\n"), {"runs/nfe.tsv: no rows after the header"});
  expect_error(parse("series\tx\tfd\na\t1\t2\n"),
               {"runs/nfe.tsv:1:", "no column 'y'", "its columns: 'series', 'x', 'fd'"});
  expect_error(parse("series\tx\ty\tx\na\t1\t2\t3\n"), {"runs/nfe.tsv:1:", "column 'x' appears twice"});
}

TEST(SeriesTsv, ReadsAFileAndNamesAMissingOne) {
  TempDir dir;
  const std::string path = dir / "curves.tsv";
  apps_test::write_bytes(path, {'s', 'e', 'r', 'i', 'e', 's', '\t', 'x', '\t', 'y', '\n', 'a', '\t', '1', '\t', '2'});
  ASSERT_EQ(apps::read_series_tsv(path).size(), 1u);  // a last line without its newline counts
  expect_error([&] { apps::read_series_tsv(dir / "missing.tsv"); }, {"missing.tsv: cannot read it"});
}

// How many pixels of `image` are exactly `color`.
int count_pixels(const apps::Image& image, apps::Color color) {
  int n = 0;
  for (size_t i = 0; i + 2 < image.pixels.size(); i += 3)
    n += image.pixels[i] == color.r && image.pixels[i + 1] == color.g && image.pixels[i + 2] == color.b;
  return n;
}

TEST(LineChart, DrawsEverySeriesInItsColour) {
  const std::vector<apps::SeriesPoint> points = {{"a", 10, 40}, {"b", 10, 30}, {"a", 50, 8},
                                                 {"b", 50, 9},  {"a", 20, 15}, {"c", 20, 12}};
  apps::LineChartOptions options;
  options.log_x = options.log_y = true;
  const apps::Image image = apps::line_chart(points, options);
  EXPECT_EQ(image.width, options.width);
  EXPECT_EQ(image.height, options.height);
  // Markers are 7 pixels across, so each series has solid pixels of its colour (legend swatches add more).
  for (size_t k = 0; k < 3; ++k) EXPECT_GT(count_pixels(image, apps::series_color(k)), 40) << k;
  EXPECT_EQ(count_pixels(image, apps::series_color(3)), 0);
}

TEST(LineChart, RepeatedPointsAddMarkersAroundOneMeanLine) {
  // Two seeds at each x: one line through the means (y = 2), markers at 1 and 3.
  const std::vector<apps::SeriesPoint> twice = {{"a", 0, 1}, {"a", 0, 3}, {"a", 1, 3}, {"a", 1, 1}};
  const std::vector<apps::SeriesPoint> means = {{"a", 0, 2}, {"a", 1, 2}};
  apps::LineChartOptions options;
  options.reference_lines = {{1, "low"}, {3, "high"}};  // the same view for both charts
  const apps::Image with_seeds = apps::line_chart(twice, options), with_means = apps::line_chart(means, options);
  // The mean line is the same; the markers of the seeds are extra pixels.
  EXPECT_GT(count_pixels(with_seeds, apps::series_color(0)), count_pixels(with_means, apps::series_color(0)) + 50);
}

TEST(LineChart, RefusesWhatALogAxisCannotShow) {
  apps::LineChartOptions options;
  options.log_x = true;
  expect_error([&] { apps::line_chart({{"ddim", 0, 1}}, options); }, {"log x axis", "x = 0", "series 'ddim'"});
  options = {};
  options.log_y = true;
  options.reference_lines = {{-1, "floor"}};
  expect_error([&] { apps::line_chart({{"ddim", 1, 1}}, options); }, {"log y axis", "reference line 'floor'"});
  expect_error([&] { apps::line_chart({}, {}); }, {"no points"});
  options = {};
  options.width = 100;
  expect_error([&] { apps::line_chart({{"a", 1, 1}}, options); }, {"no room for the plot"});
}

}  // namespace
