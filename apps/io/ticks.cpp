// Tick placement for ticks.h. A step is kept as mantissa x 10^exponent and a
// tick's value computed as (k * mantissa) / 10^-exponent, which gives the
// round values people expect ("0.3", not "0.30000000000000004").
#include "apps/io/ticks.h"

#include <fmt/format.h>

#include <algorithm>
#include <cfloat>
#include <cmath>

namespace apps {
namespace {

constexpr int kMantissas[] = {1, 2, 5};

// A range narrower than this fraction of its magnitude has no distinct round
// ticks in double precision (1e8 + k * 1e-9 are not k apart).
constexpr double kNarrowest = 1e-12;

bool too_narrow(double lo, double hi) {
  return 0.5 * hi - 0.5 * lo <= kNarrowest * std::max(std::abs(lo), std::abs(hi));
}

// m x 10^e; for e < 0 divided by 10^-e rather than multiplied by 10^e, so
// 3 x 10^-1 is the double nearest 0.3.
double scaled(double m, int e) { return e >= 0 ? m * std::pow(10.0, e) : m / std::pow(10.0, -e); }

// The decimal exponent of x > 0 (3 for 1000 and 1500); the nudge keeps
// 1000, whose log10 may come out a hair below 3, in its decade.
int decimal_exponent(double x) { return static_cast<int>(std::floor(std::log10(x) + 1e-9)); }

// "1.50e+08" -> "1.50e8", "2e-05" -> "2e-5": the font is wide, labels are short.
std::string compact_exponent(const std::string& s) {
  const size_t e = s.find('e');
  if (e == std::string::npos) return s;
  std::string digits = s.substr(e + 1);
  const bool negative = !digits.empty() && digits[0] == '-';
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) digits.erase(0, 1);
  digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size() - 1));
  return s.substr(0, e + 1) + (negative ? "-" : "") + digits;
}

}  // namespace

std::string tick_label(double value, double step, double largest) {
  if (value == 0) return "0";
  if (!std::isfinite(value)) return fmt::format("{}", value);
  if (!(step > 0) || !std::isfinite(step)) step = std::abs(value);
  const int step_exponent = decimal_exponent(step);
  // One format per axis, chosen by its largest value, so "900000" is not followed by "1.0e6".
  if (decimal_exponent(std::max(std::abs(value), std::abs(largest))) <= 5 && step_exponent >= -4)
    return fmt::format("{:.{}f}", value, std::max(0, -step_exponent));
  const int digits = std::clamp(decimal_exponent(std::abs(value)) - step_exponent, 0, 15);
  return compact_exponent(fmt::format("{:.{}e}", value, digits));
}

std::vector<Tick> nice_ticks(double lo, double hi, int max_count) {
  if (!std::isfinite(lo) || !std::isfinite(hi) || hi < lo) return {};
  max_count = std::max(max_count, 5);
  if (too_narrow(lo, hi)) {
    const double middle = 0.5 * lo + 0.5 * hi;
    return {{middle, compact_exponent(fmt::format("{:.6g}", middle))}};
  }
  // The first candidate step, 10^e <= width / max_count, may leave max_count + 1
  // ticks; 10 times it leaves at most max_count. So at most four steps are
  // tried. The one taken is at most 2.5 times the last refused, which left over
  // max_count >= 5 ticks, so the range spans at least two steps: >= 2 ticks.
  const double half_width = 0.5 * hi - 0.5 * lo;  // halves: +-DBL_MAX does not overflow
  const int e0 = static_cast<int>(std::floor(std::log10(half_width) + std::log10(2.0 / max_count)));
  const double largest = std::max(std::abs(lo), std::abs(hi));
  for (int e = e0; e <= e0 + 2; ++e)
    for (const int m : kMantissas) {
      const double step = scaled(m, e);
      if (!std::isfinite(step) || step <= 0) return {};
      const double first = std::ceil(lo / step), last = std::floor(hi / step);  // tick k * step for k in first..last
      if (last - first + 1 > max_count) continue;
      std::vector<Tick> ticks;
      for (double k = first; k <= last; ++k) {
        const double value = scaled(k * m, e);
        ticks.push_back({value, tick_label(value, step, largest)});
      }
      return ticks;
    }
  return {};  // unreachable for finite ranges (see above)
}

std::vector<Tick> log_ticks(double lo, double hi, int max_count) {
  if (!(lo > 0) || !std::isfinite(hi) || hi < lo) return {};
  max_count = std::max(max_count, 2);
  const double log_lo = std::log10(lo), log_hi = std::log10(hi);
  const int e_lo = static_cast<int>(std::floor(log_lo)), e_hi = static_cast<int>(std::ceil(log_hi));
  std::vector<Tick> ticks;
  // 1, 2 and 5 in each decade, when there are few enough decades to try them.
  if (3 * (e_hi - e_lo + 1) <= 4 * max_count) {
    for (int e = e_lo; e <= e_hi; ++e)
      for (const int m : kMantissas) {
        const double value = scaled(m, e);
        if (value >= lo * (1 - 1e-12) && value <= hi * (1 + 1e-12))
          ticks.push_back({std::log10(value), tick_label(value, scaled(1, e), hi)});
      }
    if (ticks.size() >= 3 && static_cast<int>(ticks.size()) <= max_count) return ticks;
  }
  // Every stride-th power of ten.
  ticks.clear();
  const int first = static_cast<int>(std::ceil(log_lo - 1e-12)), last = static_cast<int>(std::floor(log_hi + 1e-12));
  const int stride = std::max(1, static_cast<int>(std::ceil((last - first + 1) / double(max_count))));
  for (int e = static_cast<int>(std::ceil(double(first) / stride)) * stride; e <= last; e += stride)
    ticks.push_back({double(e), tick_label(scaled(1, e), scaled(1, e), hi)});
  if (ticks.size() >= 2) return ticks;
  // Inside about one decade: the linear axis's round numbers, placed on the log axis.
  ticks.clear();
  for (Tick& t : nice_ticks(lo, hi, max_count))
    if (t.at > 0) ticks.push_back({std::log10(t.at), t.label});
  return ticks;
}

std::pair<double, double> padded_range(double lo, double hi, double fraction) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) return {-1.0, 1.0};
  if (hi < lo) std::swap(lo, hi);
  double pad = 2 * fraction * (0.5 * hi - 0.5 * lo);
  if (too_narrow(lo, hi)) {
    lo = hi = 0.5 * lo + 0.5 * hi;
    pad = lo == 0 ? 1.0 : std::max(std::abs(lo) / 10, 1e-300);
  }
  return {std::max(lo - pad, -DBL_MAX), std::min(hi + pad, DBL_MAX)};
}

}  // namespace apps
