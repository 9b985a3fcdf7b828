// DType: the element types a tensor can hold, and the one switch that turns a
// runtime dtype into a C++ type inside a kernel (dispatch_float / dispatch_all).
// Float64 exists for gradchecks; Int64 for indices (embedding lookups, timesteps).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tensor/error.h"

namespace tensor {

enum class DType : uint8_t { Float32, Float64, Int64 };

constexpr size_t dtype_size(DType d) {
  switch (d) {
    case DType::Float32: return 4;
    case DType::Float64: return 8;
    case DType::Int64: return 8;
  }
  return 0;
}

constexpr std::string_view dtype_name(DType d) {
  switch (d) {
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
    case DType::Int64: return "int64";
  }
  return "?";
}

constexpr bool is_floating(DType d) { return d == DType::Float32 || d == DType::Float64; }

template <typename T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::Float32; }
template <> constexpr DType dtype_of<double>() { return DType::Float64; }
template <> constexpr DType dtype_of<int64_t>() { return DType::Int64; }

// A tag carrying a type, so a generic lambda can recover it:
//   dispatch_float(t.dtype(), "exp", [&](auto tag) { using T = typename decltype(tag)::type; ... });
template <typename T> struct TypeTag { using type = T; };

template <typename F>
decltype(auto) dispatch_float(DType d, std::string_view op, F&& f) {
  switch (d) {
    case DType::Float32: return f(TypeTag<float>{});
    case DType::Float64: return f(TypeTag<double>{});
    default: break;
  }
  throw Error(fmt::format("[{}] expects a floating dtype (float32 or float64), got {}", op, dtype_name(d)));
}

template <typename F>
decltype(auto) dispatch_all(DType d, F&& f) {
  switch (d) {
    case DType::Float32: return f(TypeTag<float>{});
    case DType::Float64: return f(TypeTag<double>{});
    case DType::Int64: return f(TypeTag<int64_t>{});
  }
  return f(TypeTag<float>{});
}

}  // namespace tensor
