// Helpers for tests of error messages: run a callable, capture the
// tensor::Error it throws, and look for the op name and shapes in the text.
#pragma once
#include <string>

#include "tensor/error.h"

namespace tensor_test {

// Runs f and returns the tensor::Error message it throws ("" if none).
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const tensor::Error& e) {
    return e.what();
  }
  return "";
}

inline bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace tensor_test
