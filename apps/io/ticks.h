// Axis ticks at round numbers (steps of 1, 2 or 5 x 10^k) with their labels,
// on linear and log axes, and the padding of a data range into a view. Pure
// arithmetic: canvas.h draws the ticks, figures.h chooses them.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace apps {

// A tick: where it sits on the axis (in the axis's units: the value itself on
// a linear axis, log10 of it on a log axis) and the text written beside it.
struct Tick {
  double at;
  std::string label;
};

// Note [Ticks cost the same at any range]: a tick list is built from the
// step, which is chosen from the range's width (the smallest 1-2-5 step that
// leaves at most max_count ticks), never by walking the range one unit at a
// time; so a range of 1e-3 and one of 1e38 cost the same few operations, and
// a plot of far-flung points draws a bounded number of lines.

// Ticks at the multiples of a 1-2-5 step inside [lo, hi]: at least 2 and at
// most max_count of them (max_count below 5 counts as 5: with fewer, the
// 1-2-5 sequence can skip from too many ticks to one). Non-finite bounds or
// hi < lo give none; a range too narrow for its magnitude to hold distinct
// ticks (lo == hi) gives one, at its middle.
std::vector<Tick> nice_ticks(double lo, double hi, int max_count = 7);

// Ticks for a log axis over [lo, hi] (lo > 0), placed at log10 of their
// values: 1, 2, 5 x 10^k when they fit in max_count, else every k-th power of
// ten; a range inside one decade falls back to nice_ticks. Bad ranges give none.
std::vector<Tick> log_ticks(double lo, double hi, int max_count = 7);

// The label of a tick at `value` among ticks `step` apart on an axis whose
// largest |value| is `largest`: fixed point with the step's decimals ("0.25",
// "1500"), or, on axes reaching 1e6 or steps under 1e-4, compact scientific
// with the digits the step needs ("1.2e8", "5e-6").
std::string tick_label(double value, double step, double largest = 0);

// [lo, hi] widened by `fraction` of its width at each end; a range of zero
// width (or too narrow for its magnitude to hold distinct ticks) becomes
// v +- |v| / 10 around its middle v (+-1 at v = 0). Ends stay finite
// (clamped to +-DBL_MAX); a non-finite bound gives [-1, 1].
std::pair<double, double> padded_range(double lo, double hi, double fraction = 0.05);

}  // namespace apps
