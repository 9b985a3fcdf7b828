// From a runtime ScalarType to a C++ type inside a .cu file: the device-side
// twin of dispatch_all in tensor/dtype.h (which needs fmt, so .cu files cannot use it).
#pragma once
#include <cstdint>

#include "tensor/cuda/launch.h"

namespace tensor::cuda {

template <typename T>
struct Type {
  using type = T;
};

// f(Type<T>{}) for the C++ type of t.
template <typename F>
void with_scalar_type(ScalarType t, F&& f) {
  switch (t) {
    case ScalarType::Float32:
      return f(Type<float>{});
    case ScalarType::Float64:
      return f(Type<double>{});
    case ScalarType::Int64:
      return f(Type<int64_t>{});
  }
}

// The same for the floating types (front-ends have rejected Int64 already).
template <typename F>
void with_float_type(ScalarType t, F&& f) {
  if (t == ScalarType::Float64) return f(Type<double>{});
  return f(Type<float>{});
}

}  // namespace tensor::cuda
