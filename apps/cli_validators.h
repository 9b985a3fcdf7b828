// Flag validators shared by the subcommands' declarations, with short
// messages (CLI11's PositiveNumber would print its range up to DBL_MAX).
#pragma once
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace apps {

// A whole number >= min; the validator returns "" when the text is valid.
inline CLI::Validator whole_number(int64_t min) {
  return CLI::Validator(
      [min](std::string& text) -> std::string {
        try {
          size_t used = 0;
          const long long v = std::stoll(text, &used);
          if (used == text.size() && v >= min) return "";
        } catch (const std::exception&) {
        }
        return fmt::format("'{}' is not a whole number >= {}", text, min);
      },
      fmt::format("INT>={}", min));
}

// --device cpu|cuda (default cpu), for every command that runs a model.
inline void add_device_flag(CLI::App* cmd, std::string& device) {
  cmd->add_option("--device", device, "where the model runs: cpu | cuda")
      ->check(CLI::IsMember({"cpu", "cuda"}))
      ->capture_default_str();
}

}  // namespace apps
