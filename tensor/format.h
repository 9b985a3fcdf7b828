// Printing tensors with fmt, abbreviated like NumPy:
//   tensor([[0.1000, 0.2000], [0.3000, 0.4000]], shape=(2, 2), dtype=float32, device=cpu)
// Dims longer than 6 show their first and last 3 entries around "...".
#pragma once
#include <fmt/format.h>

#include <string>

#include "tensor/tensor.h"

namespace tensor {
std::string to_string(const Tensor& t);
}

template <>
struct fmt::formatter<tensor::Tensor> : fmt::formatter<std::string_view> {
  auto format(const tensor::Tensor& t, format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(tensor::to_string(t), ctx);
  }
};
