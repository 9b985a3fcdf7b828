// Flag validators shared by the subcommands' declarations, with short
// messages (CLI11's PositiveNumber would print its range up to DBL_MAX).
#pragma once
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace apps {

// A whole number in [min, max]; the validator returns "" when the text is
// valid. The default max keeps every count flag (--n, --steps, --batch, ...)
// far from where products of counts overflow int64 (2^31 x 2^31 < 2^63).
inline CLI::Validator whole_number(int64_t min, int64_t max = (int64_t{1} << 31) - 1) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        try {
          size_t used = 0;
          const long long v = std::stoll(text, &used);
          if (used == text.size() && v >= min && v <= max) return "";
        } catch (const std::exception&) {
        }
        return fmt::format("'{}' is not a whole number in [{}, {}]", text, min, max);
      },
      fmt::format("INT in [{}, {}]", min, max));
}

// --device cpu|cuda (default cpu), for every command that runs a model.
inline void add_device_flag(CLI::App* cmd, std::string& device) {
  cmd->add_option("--device", device, "where the model runs: cpu | cuda")
      ->check(CLI::IsMember({"cpu", "cuda"}))
      ->capture_default_str();
}

}  // namespace apps
