// Differentiable reductions and softmax. A reduction's gradient flows back
// to every element it read: sum broadcasts g back over the reduced dims;
// amax/amin send it to the elements that attained the extremum.
#include "autograd/node.h"
#include "autograd/ops.h"

namespace autograd {

namespace t = tensor;

namespace {
// The shape a reduction of `shape` over `dims` has with keepdim = true.
// A 0-dim input stays 0-dim (dims 0 and -1 name its one element, as in tensor::sum).
Shape keepdim_shape(const Shape& shape, const std::vector<int64_t>& dims) {
  Shape kept = shape;
  if (shape.empty()) return kept;
  if (dims.empty()) std::fill(kept.begin(), kept.end(), 1);
  for (int64_t d : dims) kept[t::normalize_dim(d, static_cast<int64_t>(shape.size()), "reduce")] = 1;
  return kept;
}
// The shape with keepdim = false: the reduced dims dropped.
Shape dropped_shape(const Shape& shape, const std::vector<int64_t>& dims) {
  const Shape kept = keepdim_shape(shape, dims);
  if (shape.empty()) return kept;
  Shape out;
  std::vector<bool> reduced(shape.size(), dims.empty());
  for (int64_t d : dims) reduced[t::normalize_dim(d, static_cast<int64_t>(shape.size()), "reduce")] = true;
  for (size_t d = 0; d < shape.size(); ++d)
    if (!reduced[d]) out.push_back(kept[d]);
  return out;
}
// g (the gradient of a reduced value) broadcast back to the input's shape.
Tensor expand_back(const Tensor& g, const Shape& x_shape, const std::vector<int64_t>& dims) {
  return g.reshape(keepdim_shape(x_shape, dims)).expand(x_shape);
}
}  // namespace

struct SumBackward : Node {
  Shape x_shape;
  std::vector<int64_t> dims;
  const char* name() const override { return "sum"; }
  std::vector<Tensor> backward(const Tensor& g) override { return {expand_back(g, x_shape, dims)}; }
};
Variable sum(const Variable& x, const std::vector<int64_t>& dims, bool keepdim) {
  Tensor out = t::sum(x.data(), dims, keepdim);
  if (!needs_grad({x})) return Variable(out);
  auto node = std::make_shared<SumBackward>();
  node->x_shape = x.shape();
  node->dims = dims;
  return record(out, node, {x});
}

Variable mean(const Variable& x, const std::vector<int64_t>& dims, bool keepdim) {
  const int64_t n = x.numel() / std::max<int64_t>(1, t::numel_of(keepdim_shape(x.shape(), dims)));
  return mul(sum(x, dims, keepdim), 1.0 / static_cast<double>(n));
}

// Ties share the gradient evenly, so the rule stays a valid subgradient.
struct ExtremumBackward : Node {
  Tensor x, out;  // out kept with keepdim = true
  std::vector<int64_t> dims;
  bool is_max = true;
  const char* name() const override { return is_max ? "amax" : "amin"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor hit = t::eq(x, out.expand(x.shape()));
    Tensor count = t::sum(hit, dims, true);
    return {t::div(t::mul(expand_back(g, x.shape(), dims), hit), count)};
  }
};
static Variable extremum(const Variable& x, const std::vector<int64_t>& dims, bool keepdim, bool is_max) {
  Tensor kept = is_max ? t::amax(x.data(), dims, true) : t::amin(x.data(), dims, true);
  Tensor out = keepdim ? kept : kept.reshape(dropped_shape(x.shape(), dims));
  if (!needs_grad({x})) return Variable(out);
  auto node = std::make_shared<ExtremumBackward>();
  node->x = x.data();
  node->out = kept;
  node->dims = dims;
  node->is_max = is_max;
  return record(out, node, {x});
}
Variable amax(const Variable& x, const std::vector<int64_t>& dims, bool keepdim) {
  return extremum(x, dims, keepdim, true);
}
Variable amin(const Variable& x, const std::vector<int64_t>& dims, bool keepdim) {
  return extremum(x, dims, keepdim, false);
}

// Composed from differentiable ops, so its gradient comes for free.
Variable var(const Variable& x, const std::vector<int64_t>& dims, bool keepdim, int64_t correction) {
  const int64_t n = x.numel() / std::max<int64_t>(1, t::numel_of(keepdim_shape(x.shape(), dims)));
  TENSOR_CHECK(n - correction > 0, "[var] {} elements per reduction leave no degrees of freedom with correction {}", n,
               correction);
  Variable centered = sub(x, mean(x, dims, true));
  return mul(sum(square(centered), dims, keepdim), 1.0 / static_cast<double>(n - correction));
}

// y = softmax(x): dx = y * (g - sum(g * y))  along dim
struct SoftmaxBackward : Node {
  Tensor y;
  int64_t dim = -1;
  const char* name() const override { return "softmax"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    return {t::mul(y, t::sub(g, t::sum(t::mul(g, y), {dim}, true)))};
  }
};
Variable softmax(const Variable& x, int64_t dim) {
  Tensor out = t::softmax(x.data(), dim);
  if (!needs_grad({x})) return Variable(out);
  auto node = std::make_shared<SoftmaxBackward>();
  node->y = out;
  node->dim = dim;
  return record(out, node, {x});
}

// y = log_softmax(x): dx = g - softmax(x) * sum(g)  along dim
struct LogSoftmaxBackward : Node {
  Tensor y;
  int64_t dim = -1;
  const char* name() const override { return "log_softmax"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    return {t::sub(g, t::mul(t::exp(y), t::sum(g, {dim}, true)))};
  }
};
Variable log_softmax(const Variable& x, int64_t dim) {
  Tensor out = t::log_softmax(x.data(), dim);
  if (!needs_grad({x})) return Variable(out);
  auto node = std::make_shared<LogSoftmaxBackward>();
  node->y = out;
  node->dim = dim;
  return record(out, node, {x});
}

// log sum exp(x) = m + log sum exp(x - m), with m = max(x) held constant
// (any constant gives the same value; the max keeps exp from overflowing).
Variable logsumexp(const Variable& x, const std::vector<int64_t>& dims, bool keepdim) {
  Variable m(t::amax(x.data(), dims, true));
  Variable shifted = log(sum(exp(sub(x, m)), dims, true));
  Variable out = add(shifted, m);
  return keepdim ? out : reshape(out, dropped_shape(x.shape(), dims));
}

}  // namespace autograd
