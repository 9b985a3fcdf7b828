// The one exception the `diffuse` command throws for a user's mistake: a
// missing or malformed file, a bad flag value, a shape that does not fit.
// Its message is printed as one line and the program exits with status 2
// (cli.cpp); the message names the file or flag and what is wrong with it.
#pragma once
#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace apps {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace apps

// APPS_CHECK(cond, "{}: not a .npy file", path): throws apps::Error when cond is false.
#define APPS_CHECK(cond, ...)                                  \
  do {                                                         \
    if (!(cond)) throw ::apps::Error(fmt::format(__VA_ARGS__)); \
  } while (0)
