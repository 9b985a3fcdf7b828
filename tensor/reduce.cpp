// Front-ends of the reductions and softmax. Reductions are written once, in
// the kernel; mean and var are compositions of it.
#include "tensor/dispatch.h"
#include "tensor/ops.h"

namespace tensor {
namespace {

// Which dims a reduction covers: `dims` normalized, or all of them if empty.
std::vector<bool> reduced_mask(const Tensor& x, const std::vector<int64_t>& dims, std::string_view op) {
  std::vector<bool> mask(x.dim(), dims.empty());
  for (int64_t d : dims) {
    const int64_t nd = normalize_dim(d, x.dim(), op);
    if (x.dim() == 0) continue;
    TENSOR_CHECK(!mask[nd], "[{}] dim {} appears twice in dims {}", op, nd, shape_str(dims));
    mask[nd] = true;
  }
  return mask;
}

Tensor reduce_op(ReduceOp op, std::string_view name, const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  TENSOR_CHECK(x.defined() && is_floating(x.dtype()), "[{}] expects a float32 or float64 tensor", name);
  const std::vector<bool> mask = reduced_mask(x, dims, name);
  Shape kept_shape = x.shape(), squeezed;
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (mask[d]) {
      TENSOR_CHECK(op == ReduceOp::Sum || x.shape()[d] > 0, "[{}] cannot reduce over dim {} of size 0", name, d);
      kept_shape[d] = 1;
    } else {
      squeezed.push_back(x.shape()[d]);
    }
  }
  Tensor out = Tensor::empty(kept_shape, x.dtype(), x.device());
  TENSOR_DISPATCH(x.device(), reduce, op, out, x, mask);
  return keepdim ? out : out.view(squeezed);
}

int64_t reduced_count(const Tensor& x, const std::vector<int64_t>& dims, std::string_view op) {
  const std::vector<bool> mask = reduced_mask(x, dims, op);
  int64_t n = 1;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (mask[d]) n *= x.shape()[d];
  return n;
}

}  // namespace

Tensor sum(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  return reduce_op(ReduceOp::Sum, "sum", x, dims, keepdim);
}
Tensor amax(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  return reduce_op(ReduceOp::Max, "amax", x, dims, keepdim);
}
Tensor amin(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  return reduce_op(ReduceOp::Min, "amin", x, dims, keepdim);
}

Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  const int64_t n = reduced_count(x, dims, "mean");
  Tensor s = sum(x, dims, keepdim);
  return mul_(s, 1.0 / static_cast<double>(n));
}

Tensor var(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim, int64_t correction) {
  const int64_t n = reduced_count(x, dims, "var");
  TENSOR_CHECK(n - correction > 0, "[var] {} elements per reduction leave no degrees of freedom with correction {}", n,
               correction);
  // Two passes (mean first, then squared deviations): stable where E[x^2] - E[x]^2 is not.
  Tensor centered = sub(x, mean(x, dims, true));
  Tensor s = sum(square(centered), dims, keepdim);
  return mul_(s, 1.0 / static_cast<double>(n - correction));
}

namespace {
Tensor softmax_impl(const Tensor& x, int64_t dim, bool log) {
  const char* name = log ? "log_softmax" : "softmax";
  TENSOR_CHECK(x.defined() && is_floating(x.dtype()), "[{}] expects a float32 or float64 tensor", name);
  if (x.dim() == 0) return log ? zeros_like(x) : ones_like(x);
  dim = normalize_dim(dim, x.dim(), name);
  // The kernel works on the last dim of a contiguous tensor: move dim there and back.
  Tensor moved = x.transpose(dim, -1).contiguous();
  Tensor out = empty_like(moved);
  TENSOR_DISPATCH(x.device(), softmax_lastdim, out, moved, log);
  return out.transpose(dim, -1).contiguous();
}
}  // namespace

Tensor softmax(const Tensor& x, int64_t dim) { return softmax_impl(x, dim, false); }
Tensor log_softmax(const Tensor& x, int64_t dim) { return softmax_impl(x, dim, true); }

Tensor sum_to_shape(const Tensor& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  const int64_t lead = x.dim() - static_cast<int64_t>(shape.size());
  TENSOR_CHECK(lead >= 0, "[sum_to_shape] cannot sum shape {} to the longer shape {}", shape_str(x.shape()),
               shape_str(shape));
  std::vector<int64_t> dims;
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (d < lead) {
      dims.push_back(d);
      continue;
    }
    const int64_t want = shape[d - lead];
    TENSOR_CHECK(want == x.shape()[d] || want == 1, "[sum_to_shape] shape {} is not a broadcast of {}",
                 shape_str(x.shape()), shape_str(shape));
    if (want == 1 && x.shape()[d] != 1) dims.push_back(d);
  }
  if (dims.empty()) return x.reshape(shape);
  return sum(x, dims, true).reshape(shape);
}

}  // namespace tensor
