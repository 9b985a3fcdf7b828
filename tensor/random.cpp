#include "tensor/random.h"

#include <algorithm>
#include <numeric>

#include "tensor/dispatch.h"
#include "tensor/ops.h"

namespace tensor {
namespace {
Tensor& random_(Tensor& t, Generator& gen, RandomKind kind, std::string_view op) {
  TENSOR_CHECK(is_floating(t.dtype()), "[{}] expects a float32 or float64 tensor, got {}", op, dtype_name(t.dtype()));
  TENSOR_CHECK(t.is_contiguous(), "[{}] expects a contiguous tensor", op);
  TENSOR_DISPATCH(t.device(), random_fill, t, kind, gen.seed(), gen.next_stream());
  return t;
}
}  // namespace

Tensor& normal_(Tensor& t, Generator& gen) { return random_(t, gen, RandomKind::Normal, "normal_"); }
Tensor& uniform_(Tensor& t, Generator& gen) { return random_(t, gen, RandomKind::Uniform, "uniform_"); }

Tensor randn(const Shape& shape, Generator& gen, DType dtype, Device device) {
  Tensor t = Tensor::empty(shape, dtype, device);
  return normal_(t, gen);
}

Tensor rand(const Shape& shape, Generator& gen, DType dtype, Device device) {
  Tensor t = Tensor::empty(shape, dtype, device);
  return uniform_(t, gen);
}

Tensor randint(int64_t low, int64_t high, const Shape& shape, Generator& gen, Device device) {
  TENSOR_CHECK(low < high, "[randint] empty range [{}, {})", low, high);
  // floor(low + u (high - low)) with u in [0, 1) in double: exact for ranges below 2^53.
  Tensor u = rand(shape, gen, DType::Float64, device);
  return floor(add(mul(u, static_cast<double>(high - low)), static_cast<double>(low))).to(DType::Int64);
}

Tensor randn_like(const Tensor& x, Generator& gen) { return randn(x.shape(), gen, x.dtype(), x.device()); }
Tensor rand_like(const Tensor& x, Generator& gen) { return rand(x.shape(), gen, x.dtype(), x.device()); }

Tensor randperm(int64_t n, Generator& gen, Device device) {
  // Sort indices by a random key: a permutation that depends only on (seed, stream).
  const std::vector<double> keys = rand({n}, gen, DType::Float64).to_vector<double>();
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return keys[a] < keys[b]; });
  return from_vector(order, {n}, DType::Int64, device);
}

}  // namespace tensor
