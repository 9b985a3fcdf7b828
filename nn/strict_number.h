// Numbers read from files and metadata, parsed strictly: the whole token must
// be the number ("5x", "1e3" as an integer, " 5" and "" are refused) and it
// must fit its range. std::stoll would read "5x" as 5 and "1e3" as 1.
// Errors are tensor::Error naming `what` (the file and key) and the text.
#pragma once
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace nn {

// A decimal integer in [lo, hi] (an optional leading '-'; no '+', spaces or exponent).
int64_t parse_int64(std::string_view text, const std::string& what, int64_t lo = std::numeric_limits<int64_t>::min(),
                    int64_t hi = std::numeric_limits<int64_t>::max());
// A decimal integer in [0, 2^64 - 1].
uint64_t parse_uint64(std::string_view text, const std::string& what);
// A finite double in the whole token ("1e-3", "0.5"; not "nan", "inf" or "1.5x").
double parse_finite_double(std::string_view text, const std::string& what);

}  // namespace nn
