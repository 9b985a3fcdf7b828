// Strict number parsing (see strict_number.h) on std::from_chars, which never
// skips spaces, reads no locale and reports both the end and the range.
#include "nn/strict_number.h"

#include <charconv>
#include <cmath>

#include "tensor/error.h"

namespace nn {

int64_t parse_int64(std::string_view text, const std::string& what, int64_t lo, int64_t hi) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  TENSOR_CHECK(ec != std::errc::result_out_of_range, "{}: '{}' is out of range (need {}..{})", what, text, lo, hi);
  TENSOR_CHECK(ec == std::errc() && end == text.data() + text.size(), "{}: '{}' is not an integer", what, text);
  TENSOR_CHECK(value >= lo && value <= hi, "{}: {} is out of range (need {}..{})", what, value, lo, hi);
  return value;
}

uint64_t parse_uint64(std::string_view text, const std::string& what) {
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  TENSOR_CHECK(ec != std::errc::result_out_of_range, "{}: '{}' is out of range (need 0..2^64 - 1)", what, text);
  TENSOR_CHECK(ec == std::errc() && end == text.data() + text.size(), "{}: '{}' is not a non-negative integer", what,
               text);
  return value;
}

double parse_finite_double(std::string_view text, const std::string& what) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  TENSOR_CHECK(ec == std::errc() && end == text.data() + text.size() && std::isfinite(value),
               "{}: '{}' is not a finite number", what, text);
  return value;
}

}  // namespace nn
