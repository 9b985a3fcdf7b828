// Tests for the readable pictures: tick placement (round numbers, a bounded
// count at any range, degenerate ranges), the canvas's bounded drawing, the
// scatter plot of far-flung and non-finite points, image-grid scaling, the
// debiased EMA and the loss curve's smoothed line and labels.
#include "apps/io/figures.h"

#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "apps/error.h"
#include "apps/io/canvas.h"
#include "apps/io/png.h"
#include "apps/io/ticks.h"
#include "tensor/ops.h"
#include "tensor/random.h"
#include "test_util.h"

namespace {

using apps_test::TempDir;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<std::string> labels(const std::vector<apps::Tick>& ticks) {
  std::vector<std::string> out;
  for (const apps::Tick& t : ticks) out.push_back(t.label);
  return out;
}

// Whether step is 1, 2 or 5 times a power of ten (to a relative 1e-7).
bool is_round_step(double step) {
  const double mantissa = step / std::pow(10.0, std::floor(std::log10(step) + 1e-9));
  for (const double m : {1.0, 2.0, 5.0})
    if (std::abs(mantissa - m) < 1e-7 * m) return true;
  return false;
}

TEST(Ticks, RoundStepsAndABoundedCountAtAnyRange) {
  const std::vector<std::pair<double, double>> ranges = {
      {0, 1},        {-1e-3, 1e-3}, {0.001, 0.002}, {1e8, 1e8 + 1}, {-1e8, 1e8},         {0, 1e38},
      {-1e38, 1e38}, {1e37, 3e38},  {-3.7, 12.1},   {1, 12000},     {-DBL_MAX, DBL_MAX}, {1e-300, 3e-300}};
  for (const auto& [lo, hi] : ranges)
    for (const int max_count : {5, 7, 10}) {
      SCOPED_TRACE(testing::Message() << "[" << lo << ", " << hi << "], at most " << max_count);
      const std::vector<apps::Tick> ticks = apps::nice_ticks(lo, hi, max_count);
      ASSERT_GE(ticks.size(), 2u);
      ASSERT_LE(ticks.size(), static_cast<size_t>(max_count));
      // Ticks near 1e8 are only as exact as doubles there (a few 1e-8): the step is measured end to end.
      const double step = (0.5 * ticks.back().at - 0.5 * ticks[0].at) / double(ticks.size() - 1) * 2;  // no overflow
      const double tolerance = 1e-9 * step + 1e-15 * std::max(std::abs(lo), std::abs(hi));
      EXPECT_TRUE(is_round_step(step)) << step;
      for (size_t i = 0; i < ticks.size(); ++i) {
        EXPECT_GE(ticks[i].at, lo);
        EXPECT_LE(ticks[i].at, hi);
        EXPECT_FALSE(ticks[i].label.empty());
        if (i > 0) {
          EXPECT_NEAR(ticks[i].at - ticks[i - 1].at, step, tolerance);
          EXPECT_NE(ticks[i].label, ticks[i - 1].label);
        }
      }
    }
}

TEST(Ticks, LabelsReadAsRoundNumbers) {
  EXPECT_EQ(labels(apps::nice_ticks(0, 1, 6)), (std::vector<std::string>{"0", "0.2", "0.4", "0.6", "0.8", "1.0"}));
  EXPECT_EQ(labels(apps::nice_ticks(-3, 3, 7)), (std::vector<std::string>{"-3", "-2", "-1", "0", "1", "2", "3"}));
  EXPECT_EQ(labels(apps::nice_ticks(0, 1e8, 6)), (std::vector<std::string>{"0", "2e7", "4e7", "6e7", "8e7", "1.0e8"}));
  EXPECT_EQ(labels(apps::nice_ticks(1, 12000, 7)),
            (std::vector<std::string>{"2000", "4000", "6000", "8000", "10000", "12000"}));
  EXPECT_EQ(apps::tick_label(0.30000000000000004, 0.1), "0.3");
  EXPECT_EQ(apps::tick_label(5e-6, 1e-6), "5e-6");
  EXPECT_EQ(apps::tick_label(1.5e38, 1e37), "1.5e38");
}

TEST(Ticks, DegenerateAndNonFiniteRanges) {
  const std::vector<apps::Tick> one = apps::nice_ticks(5, 5);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].at, 5);
  EXPECT_EQ(one[0].label, "5");
  EXPECT_EQ(apps::nice_ticks(1e8, 1e8 * (1 + 1e-15)).size(), 1u);  // no distinct round ticks at this magnitude
  EXPECT_TRUE(apps::nice_ticks(kNaN, 1).empty());
  EXPECT_TRUE(apps::nice_ticks(0, kInf).empty());
  EXPECT_TRUE(apps::nice_ticks(2, 1).empty());

  EXPECT_EQ(apps::padded_range(5, 5), (std::pair<double, double>{4.5, 5.5}));
  EXPECT_EQ(apps::padded_range(0, 0), (std::pair<double, double>{-1, 1}));
  EXPECT_EQ(apps::padded_range(kNaN, 1), (std::pair<double, double>{-1, 1}));
  EXPECT_EQ(apps::padded_range(0, 10, 0.1), (std::pair<double, double>{-1, 11}));
  const auto [lo, hi] = apps::padded_range(-DBL_MAX, DBL_MAX);
  EXPECT_EQ(lo, -DBL_MAX);
  EXPECT_EQ(hi, DBL_MAX);
}

TEST(Ticks, LogAxis) {
  // 1, 2, 5 per decade, placed at log10 of the value.
  const std::vector<apps::Tick> decades = apps::log_ticks(0.01, 1);
  EXPECT_EQ(labels(decades), (std::vector<std::string>{"0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1"}));
  EXPECT_DOUBLE_EQ(decades[1].at, std::log10(0.02));
  // Sixty decades: every k-th power of ten, a bounded count.
  const std::vector<apps::Tick> wide = apps::log_ticks(1e-30, 1e30, 7);
  ASSERT_GE(wide.size(), 2u);
  EXPECT_LE(wide.size(), 7u);
  EXPECT_EQ(wide[1].at - wide[0].at, wide.back().at - wide[wide.size() - 2].at);
  // Inside one decade: the linear round numbers.
  EXPECT_EQ(labels(apps::log_ticks(0.2, 0.9, 4)), (std::vector<std::string>{"0.2", "0.4", "0.6", "0.8"}));
  EXPECT_TRUE(apps::log_ticks(0, 1).empty());
  EXPECT_TRUE(apps::log_ticks(1, kInf).empty());
}

TEST(Canvas, DrawingCostIsBoundedByTheImage) {
  apps::Panel panel(20, 20, 0, 1, 0, 1);
  // A segment reaching 1e12 panel widths away, and points at infinity: clipped or skipped, not walked.
  panel.line(0, 0, 1e12, 1e12, {0, 0, 0});
  panel.dot(kInf, 0, {0, 0, 0});
  panel.dot(kNaN, kNaN, {0, 0, 0});
  apps::Image image = panel.image();
  EXPECT_LT(image.at(10, 9)[0], 128);           // the diagonal passes through the middle
  EXPECT_THROW(panel.grid(1e-9), apps::Error);  // a billion grid lines: refused
  EXPECT_THROW(apps::Panel(20, 20, 0, 0, 0, 1), apps::Error);
}

// Pixels of a scatter plot that are clearly the data's blue or the samples' orange.
std::pair<int, int> blue_and_orange(apps::Image& image) {
  int blue = 0, orange = 0;
  for (int y = 0; y < image.height; ++y)
    for (int x = 0; x < image.width; ++x) {
      const uint8_t* p = image.at(x, y);
      if (p[2] > p[0] + 60) ++blue;
      if (p[0] > p[2] + 60 && p[1] > 60) ++orange;
    }
  return {blue, orange};
}

TEST(Figures, ScatterOfFarFlungAndNonFinitePointsFinishesWithTicks) {
  // Clusters 1e8 and 1e38 apart (an MoG with such means used to draw one grid
  // line per unit of range), and rows that are inf or NaN.
  tensor::Generator gen(5);
  for (const float spread : {1e8f, 1e38f}) {
    SCOPED_TRACE(spread);
    tensor::Tensor points = tensor::randn({400, 2}, gen);
    std::vector<float> v = points.to_vector<float>();
    for (size_t i = 0; i < v.size(); i += 4) v[i] = v[i] * 0.1f * spread + spread;  // every other row far right
    v[0] = std::numeric_limits<float>::infinity();
    v[3] = std::numeric_limits<float>::quiet_NaN();
    points = tensor::from_vector(v, {400, 2});
    apps::Image image = apps::scatter_plot(points, {}, "far apart");
    EXPECT_EQ(image.width, 640);
    EXPECT_EQ(image.height, 640);
    EXPECT_GT(blue_and_orange(image).first, 100);
    int red = 0;  // the note "2 points not finite, not drawn"
    for (int y = 0; y < image.height; ++y)
      for (int x = 0; x < image.width; ++x) red += image.at(x, y)[0] > 150 && image.at(x, y)[1] < 60;
    EXPECT_GT(red, 50);
  }
}

TEST(Figures, ScatterOfEqualPointsAndOfNoFinitePoint) {
  apps::Image same = apps::scatter_plot(tensor::full({10, 2}, 3.0), tensor::full({10, 2}, 3.0), "one point");
  const auto [blue, orange] = blue_and_orange(same);
  EXPECT_GT(blue, 0);  // the legend's swatch at least
  EXPECT_GT(orange, 4);
  EXPECT_EQ(apps::scatter_plot(tensor::full({3, 2}, NAN)).width, 640);
  EXPECT_THROW(apps::scatter_plot(tensor::zeros({3, 2}), {}, "", 60), apps::Error);  // no room for the axes
}

TEST(Figures, ImageGridScaleReplicatesPixels) {
  // Two 2x3 gray images with distinct values, at scale 3 in one row: tiles of 6x9, 2-pixel gaps.
  std::vector<float> values;
  for (int i = 0; i < 12; ++i) values.push_back(-1.0f + i / 6.0f);
  const tensor::Tensor x = tensor::from_vector(values, {2, 1, 2, 3});
  apps::Image img = apps::image_grid(x, 2, 3);
  EXPECT_EQ(img.width, 2 * (9 + 2) + 2);
  EXPECT_EQ(img.height, 6 + 2 + 2);
  for (int i = 0; i < 2; ++i)
    for (int y = 0; y < 6; ++y)
      for (int x = 0; x < 9; ++x) {
        const float value = values[i * 6 + (y / 3) * 3 + x / 3];
        EXPECT_EQ(img.at(2 + i * 11 + x, 2 + y)[0], std::lround((value + 1) * 127.5f)) << i << " " << x << " " << y;
      }
  EXPECT_EQ(img.at(11, 2)[0], 128);  // the gap between the tiles
  EXPECT_EQ(apps::default_grid_scale(28), 2);
  EXPECT_EQ(apps::default_grid_scale(64), 1);
  EXPECT_EQ(apps::image_grid(tensor::zeros({4, 1, 28, 28}), 0, 0).width, 2 * (56 + 2) + 2);
  EXPECT_THROW(apps::image_grid(x, 2, -1), apps::Error);
}

TEST(Figures, DebiasedEmaStartsAtTheFirstValue) {
  const std::vector<double> ema = apps::debiased_ema({4, 2, 2}, 0.9);
  EXPECT_DOUBLE_EQ(ema[0], 4);  // not 0.4 (no debiasing) and not pinned
  EXPECT_DOUBLE_EQ(ema[1], (0.9 * 0.1 * 4 + 0.1 * 2) / (1 - 0.81));
  for (const double v : apps::debiased_ema(std::vector<double>(50, 0.25), 0.99)) EXPECT_DOUBLE_EQ(v, 0.25);
  const std::vector<double> gaps = apps::debiased_ema({kNaN, 3, kInf, 1}, 0.5);
  EXPECT_TRUE(std::isnan(gaps[0]));
  EXPECT_DOUBLE_EQ(gaps[1], 3);
  EXPECT_DOUBLE_EQ(gaps[2], 3);
  EXPECT_DOUBLE_EQ(gaps[3], (0.5 * 0.5 * 3 + 0.5 * 1) / (1 - 0.25));
  EXPECT_THROW(apps::debiased_ema({1}, 1.0), apps::Error);
}

// The first "x,y" vertex of the polyline with this id in an SVG.
std::string first_vertex(const std::string& svg, const std::string& id) {
  const size_t at = svg.find("id=\"" + id + "\"");
  if (at == std::string::npos) return "";
  const size_t points = svg.find("points=\"", at) + 8;
  return svg.substr(points, svg.find(' ', points) - points);
}

TEST(Figures, LossSvgHasSmoothedLineAndLabelledTicks) {
  TempDir dir;
  std::vector<double> losses;  // 1.1 down to about 0.1: over a decade, so a log axis
  for (int i = 0; i < 300; ++i) losses.push_back(1.0 / (1 + i) + 0.1 + 0.02 * ((i * 7) % 5));
  apps::write_loss_curve(dir / "loss.svg", losses);
  const std::vector<uint8_t> bytes = apps_test::read_bytes(dir / "loss.svg");
  const std::string svg(bytes.begin(), bytes.end());
  EXPECT_NE(svg.find("id=\"smoothed\""), std::string::npos);
  EXPECT_EQ(first_vertex(svg, "smoothed"), first_vertex(svg, "raw"));  // the smoothed line starts at the first loss
  EXPECT_NE(first_vertex(svg, "raw"), "");
  for (const char* label : {">50<", ">100<", ">300<", ">0.2<", ">0.5<", ">1<", ">step<", ">loss (log scale)<"})
    EXPECT_NE(svg.find(label), std::string::npos) << label;

  // Within a decade: a linear axis.
  apps::write_loss_curve(dir / "flat.svg", std::vector<double>(20, 0.3));
  const std::vector<uint8_t> flat_bytes = apps_test::read_bytes(dir / "flat.svg");
  const std::string flat(flat_bytes.begin(), flat_bytes.end());
  EXPECT_NE(flat.find(">loss<"), std::string::npos);
  EXPECT_NE(flat.find(">0.30<"), std::string::npos);
  EXPECT_THROW(apps::write_loss_curve(dir / "nan.svg", {kNaN, kNaN}), apps::Error);
}

}  // namespace
