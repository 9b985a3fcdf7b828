// Factories: new tensors from a shape and a value, a range, or a buffer.
#include <cmath>

#include "tensor/ops.h"

namespace tensor {

Tensor full(const Shape& shape, double value, DType dtype, Device device) {
  Tensor t = Tensor::empty(shape, dtype, device);
  t.fill_(value);
  return t;
}
Tensor zeros(const Shape& shape, DType dtype, Device device) { return full(shape, 0.0, dtype, device); }
Tensor ones(const Shape& shape, DType dtype, Device device) { return full(shape, 1.0, dtype, device); }
Tensor empty_like(const Tensor& t) { return Tensor::empty(t.shape(), t.dtype(), t.device()); }
Tensor zeros_like(const Tensor& t) { return zeros(t.shape(), t.dtype(), t.device()); }
Tensor ones_like(const Tensor& t) { return ones(t.shape(), t.dtype(), t.device()); }
Tensor full_like(const Tensor& t, double value) { return full(t.shape(), value, t.dtype(), t.device()); }
Tensor scalar(double value, DType dtype, Device device) { return full({}, value, dtype, device); }

Tensor arange(double start, double end, double step, DType dtype, Device device) {
  TENSOR_CHECK(step != 0, "[arange] step must be nonzero");
  const int64_t n = std::max<int64_t>(0, static_cast<int64_t>(std::ceil((end - start) / step)));
  std::vector<double> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = start + static_cast<double>(i) * step;
  return from_vector(v, {n}, dtype, device);
}

Tensor linspace(double start, double end, int64_t steps, DType dtype, Device device) {
  TENSOR_CHECK(steps >= 0, "[linspace] steps must be >= 0, got {}", steps);
  std::vector<double> v(steps);
  for (int64_t i = 0; i < steps; ++i)
    v[i] = steps == 1 ? start : start + (end - start) * static_cast<double>(i) / static_cast<double>(steps - 1);
  return from_vector(v, {steps}, dtype, device);
}

namespace {
template <typename S>
Tensor from_buffer(const std::vector<S>& values, const Shape& shape, DType dtype, Device device) {
  TENSOR_CHECK(static_cast<int64_t>(values.size()) == numel_of(shape),
               "[from_vector] {} values do not fill shape {} ({} elements)", values.size(), shape_str(shape),
               numel_of(shape));
  // The values are written on the host; one copy moves them to the device.
  Tensor t = Tensor::empty(shape, dtype);
  dispatch_all(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = t.data<T>();
    for (size_t i = 0; i < values.size(); ++i) p[i] = static_cast<T>(values[i]);
  });
  return t.to(device);
}
}  // namespace

Tensor from_vector(const std::vector<double>& v, const Shape& shape, DType dtype, Device device) {
  return from_buffer(v, shape, dtype, device);
}
Tensor from_vector(const std::vector<float>& v, const Shape& shape, DType dtype, Device device) {
  return from_buffer(v, shape, dtype, device);
}
Tensor from_vector(const std::vector<int64_t>& v, const Shape& shape, DType dtype, Device device) {
  return from_buffer(v, shape, dtype, device);
}
Tensor from_list(std::initializer_list<double> values, DType dtype, Device device) {
  return from_vector(std::vector<double>(values), {static_cast<int64_t>(values.size())}, dtype, device);
}

}  // namespace tensor
