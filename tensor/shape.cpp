#include "tensor/shape.h"

#include "tensor/error.h"

namespace tensor {

int64_t numel_of(const Shape& shape) {
  // Shapes come from files and flags too: a product past 2^63 would wrap
  // into a small or negative count and a later loop would run off its buffer.
  // The product of the nonzero sizes must fit as well, though a zero makes
  // the count 0: contiguous_strides multiplies those sizes ((0, 2^40, 2^40)).
  int64_t nonzero = 1;
  bool has_zero = false;
  for (int64_t s : shape) {
    TENSOR_CHECK(s >= 0, "[numel] shape {} has a negative size", shape_str(shape));
    has_zero |= s == 0;
    TENSOR_CHECK(s == 0 || !__builtin_mul_overflow(nonzero, s, &nonzero),
                 "[numel] shape {} has sizes whose product passes 2^63 - 1", shape_str(shape));
  }
  return has_zero ? 0 : nonzero;
}

Shape contiguous_strides(const Shape& shape) {
  Shape strides(shape.size());
  int64_t running = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = running;
    running *= shape[i];
  }
  return strides;
}

std::string shape_str(const Shape& shape) {
  if (shape.size() == 1) return fmt::format("({},)", shape[0]);
  return fmt::format("({})", fmt::join(shape, ", "));
}

Shape broadcast_shapes(const Shape& a, const Shape& b, std::string_view op) {
  const size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (size_t i = 0; i < n; ++i) {
    // Align on the right: missing leading dims count as size 1.
    const int64_t sa = i < n - a.size() ? 1 : a[i - (n - a.size())];
    const int64_t sb = i < n - b.size() ? 1 : b[i - (n - b.size())];
    TENSOR_CHECK(sa == sb || sa == 1 || sb == 1, "[{}] shapes {} and {} do not broadcast (dim {}: {} vs {})",
                 op, shape_str(a), shape_str(b), i, sa, sb);
    out[i] = sa == 1 ? sb : sa;
  }
  return out;
}

int64_t normalize_dim(int64_t dim, int64_t ndim, std::string_view op) {
  const int64_t lo = ndim == 0 ? -1 : -ndim, hi = ndim == 0 ? 0 : ndim - 1;
  TENSOR_CHECK(dim >= lo && dim <= hi, "[{}] dim {} is out of range for a tensor with {} dims (expected {}..{})",
               op, dim, ndim, lo, hi);
  return dim < 0 ? dim + std::max<int64_t>(ndim, 1) : dim;
}

}  // namespace tensor
