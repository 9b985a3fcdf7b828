// Differentiable views and joins. A view's gradient is the inverse view of
// g (reshape back, permute back, ...); narrow/select/index_select scatter g
// into zeros of the input's shape; expand sums g over the repeated dims;
// cat hands each input its slice of g.
#include "autograd/node.h"
#include "autograd/ops.h"

namespace autograd {

namespace t = tensor;

struct ReshapeBackward : Node {
  Shape x_shape;
  const char* name() const override { return "reshape"; }
  std::vector<Tensor> backward(const Tensor& g) override { return {g.reshape(x_shape)}; }
};
Variable reshape(const Variable& x, const Shape& shape) {
  Tensor out = x.data().reshape(shape);
  if (!needs_grad({x})) return Variable(out);
  auto node = std::make_shared<ReshapeBackward>();
  node->x_shape = x.shape();
  return record(out, node, {x});
}
Variable squeeze(const Variable& x, int64_t dim) { return reshape(x, x.data().squeeze(dim).shape()); }
Variable unsqueeze(const Variable& x, int64_t dim) { return reshape(x, x.data().unsqueeze(dim).shape()); }

// contiguous() changes the layout, not the values: the gradient passes unchanged.
Variable contiguous(const Variable& x) {
  if (x.data().is_contiguous()) return x;
  Tensor out = x.data().contiguous();
  if (!needs_grad({x})) return Variable(out);
  auto node = std::make_shared<ReshapeBackward>();  // the identity, here
  node->x_shape = x.shape();
  return record(out, node, {x});
}

struct PermuteBackward : Node {
  std::vector<int64_t> inverse;
  const char* name() const override { return "permute"; }
  std::vector<Tensor> backward(const Tensor& g) override { return {g.permute(inverse)}; }
};
Variable permute(const Variable& x, const std::vector<int64_t>& order) {
  Tensor out = x.data().permute(order);
  if (!needs_grad({x})) return Variable(out);
  auto node = std::make_shared<PermuteBackward>();
  node->inverse.resize(order.size());
  for (size_t i = 0; i < order.size(); ++i) node->inverse[t::normalize_dim(order[i], x.dim(), "permute")] = i;
  return record(out, node, {x});
}
Variable transpose(const Variable& x, int64_t d0, int64_t d1) {
  std::vector<int64_t> order(x.dim());
  for (int64_t i = 0; i < x.dim(); ++i) order[i] = i;
  std::swap(order[t::normalize_dim(d0, x.dim(), "transpose")], order[t::normalize_dim(d1, x.dim(), "transpose")]);
  return permute(x, order);
}

struct NarrowBackward : Node {
  Shape x_shape;
  int64_t dim = 0, start = 0;
  const char* name() const override { return "narrow"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor gx = t::zeros(x_shape, g.dtype(), g.device());
    gx.narrow(dim, start, g.size(dim)).copy_(g);
    return {gx};
  }
};
Variable narrow(const Variable& x, int64_t dim, int64_t start, int64_t length) {
  Tensor out = x.data().narrow(dim, start, length);
  if (!needs_grad({x})) return Variable(out);
  auto node = std::make_shared<NarrowBackward>();
  node->x_shape = x.shape();
  node->dim = t::normalize_dim(dim, x.dim(), "narrow");
  node->start = start < 0 ? start + x.shape()[node->dim] : start;
  return record(out, node, {x});
}
Variable select(const Variable& x, int64_t dim, int64_t index) {
  const int64_t d = t::normalize_dim(dim, x.dim(), "select");
  return squeeze(narrow(x, d, index < 0 ? index + x.size(d) : index, 1), d);
}

struct ExpandBackward : Node {
  Shape x_shape;
  const char* name() const override { return "expand"; }
  std::vector<Tensor> backward(const Tensor& g) override { return {t::sum_to_shape(g, x_shape)}; }
};
Variable expand(const Variable& x, const Shape& shape) {
  Tensor out = x.data().expand(shape);
  if (!needs_grad({x})) return Variable(out);
  auto node = std::make_shared<ExpandBackward>();
  node->x_shape = x.shape();
  return record(out, node, {x});
}

struct CatBackward : Node {
  int64_t dim = 0;
  std::vector<int64_t> sizes;
  const char* name() const override { return "cat"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    std::vector<Tensor> grads;
    int64_t offset = 0;
    for (int64_t size : sizes) {
      grads.push_back(g.narrow(dim, offset, size));
      offset += size;
    }
    return grads;
  }
};
Variable cat(const std::vector<Variable>& xs, int64_t dim) {
  std::vector<Tensor> data;
  for (const Variable& x : xs) data.push_back(x.data());
  Tensor out = t::cat(data, dim);
  if (!needs_grad(xs)) return Variable(out);
  auto node = std::make_shared<CatBackward>();
  node->dim = t::normalize_dim(dim, out.dim(), "cat");
  for (const Variable& x : xs) node->sizes.push_back(x.size(node->dim));
  return record(out, node, xs);
}
Variable stack(const std::vector<Variable>& xs, int64_t dim) {
  TENSOR_CHECK(!xs.empty(), "[stack] needs at least one tensor");
  std::vector<Variable> expanded;
  for (const Variable& x : xs) expanded.push_back(unsqueeze(x, dim));
  return cat(expanded, dim);
}

struct IndexSelectBackward : Node {
  Shape src_shape;
  int64_t dim = 0;
  Tensor index;
  const char* name() const override { return "index_select"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor gs = t::zeros(src_shape, g.dtype(), g.device());
    t::index_add_(gs, dim, index, g);
    return {gs};
  }
};
Variable index_select(const Variable& src, int64_t dim, const Tensor& index) {
  Tensor out = t::index_select(src.data(), dim, index);
  if (!needs_grad({src})) return Variable(out);
  auto node = std::make_shared<IndexSelectBackward>();
  node->src_shape = src.shape();
  node->dim = t::normalize_dim(dim, src.dim(), "index_select");
  node->index = index;
  return record(out, node, {src});
}

}  // namespace autograd
