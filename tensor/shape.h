// Shape and strides: the small integer arithmetic every op needs. Strides are
// in elements (not bytes). A contiguous ("row-major") tensor of shape
// (d0, d1, ..., dn) has strides (d1*...*dn, ..., dn, 1). Broadcasting follows
// NumPy: align shapes on the right; each pair of sizes must be equal or one
// of them 1. See docs/tensor.md.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tensor {

using Shape = std::vector<int64_t>;

int64_t numel_of(const Shape& shape);
Shape contiguous_strides(const Shape& shape);
// "(2, 3, 4)"; "()" for a scalar.
std::string shape_str(const Shape& shape);
// The broadcast of two shapes; throws naming `op` and both shapes when they do not broadcast.
Shape broadcast_shapes(const Shape& a, const Shape& b, std::string_view op);
// Maps dim in [-ndim, ndim) to [0, ndim); throws naming `op` otherwise.
int64_t normalize_dim(int64_t dim, int64_t ndim, std::string_view op);

}  // namespace tensor
