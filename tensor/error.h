// Errors. A user error (bad shape, bad dim, dtype or device mix) throws
// tensor::Error with a message that names the op and the values in hand:
//   "[matmul] inner dimensions differ: a (2, 3) and b (4, 5)".
// An internal invariant that should never fail uses TENSOR_ASSERT, whose
// message says it is a library bug. Library code never exits or prints.
#pragma once
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <stdexcept>
#include <string>

namespace tensor {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace tensor

// TENSOR_CHECK(cond, "[op] message {}", value): throws tensor::Error when cond is false.
#define TENSOR_CHECK(cond, ...)                                 \
  do {                                                          \
    if (!(cond)) throw ::tensor::Error(fmt::format(__VA_ARGS__)); \
  } while (0)

#define TENSOR_ASSERT(cond)                                                                      \
  do {                                                                                           \
    if (!(cond))                                                                                 \
      throw ::tensor::Error(fmt::format("internal error (a library bug): {} failed at {}:{}", #cond, \
                                        __FILE__, __LINE__));                                    \
  } while (0)
