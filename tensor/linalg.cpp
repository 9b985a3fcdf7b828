// Front-end of matmul: NumPy's rules for 1-D operands and batch broadcasting.
#include "tensor/dispatch.h"
#include "tensor/ops.h"

namespace tensor {

Tensor matmul(const Tensor& a_in, const Tensor& b_in) {
  check_same_dtype_device("matmul", a_in, b_in);
  TENSOR_CHECK(is_floating(a_in.dtype()), "[matmul] expects float32 or float64, got {}", dtype_name(a_in.dtype()));
  TENSOR_CHECK(a_in.dim() >= 1 && b_in.dim() >= 1, "[matmul] operands must have at least 1 dim, got {} and {}",
               shape_str(a_in.shape()), shape_str(b_in.shape()));
  // A 1-D left operand is a row (1, K); a 1-D right operand a column (K, 1); the added dim is dropped at the end.
  const bool a_vec = a_in.dim() == 1, b_vec = b_in.dim() == 1;
  Tensor a = a_vec ? a_in.unsqueeze(0) : a_in;
  Tensor b = b_vec ? b_in.unsqueeze(1) : b_in;
  const int64_t M = a.size(-2), K = a.size(-1), N = b.size(-1);
  TENSOR_CHECK(b.size(-2) == K, "[matmul] inner dimensions differ: a {} and b {} ({} vs {})", shape_str(a_in.shape()),
               shape_str(b_in.shape()), K, b.size(-2));
  const Shape a_batch(a.shape().begin(), a.shape().end() - 2), b_batch(b.shape().begin(), b.shape().end() - 2);
  Shape out_shape = broadcast_shapes(a_batch, b_batch, "matmul");
  Shape a_full = out_shape, b_full = out_shape;
  a_full.insert(a_full.end(), {M, K});
  b_full.insert(b_full.end(), {K, N});
  out_shape.insert(out_shape.end(), {M, N});
  Tensor out = Tensor::empty(out_shape, a.dtype(), a.device());
  TENSOR_DISPATCH(out.device(), matmul, out, a.expand(a_full), b.expand(b_full), false);
  if (a_vec) out = out.squeeze(-2);
  if (b_vec) out = out.squeeze(-1);
  return out;
}

Tensor addmm(const Tensor& bias, const Tensor& a, const Tensor& b) {
  check_same_dtype_device("addmm", a, b);
  check_same_dtype_device("addmm", a, bias);
  TENSOR_CHECK(is_floating(a.dtype()), "[addmm] expects float32 or float64, got {}", dtype_name(a.dtype()));
  TENSOR_CHECK(a.dim() == 2 && b.dim() == 2 && a.size(1) == b.size(0),
               "[addmm] needs a (M, K) and b (K, N), got a {} and b {}", shape_str(a.shape()), shape_str(b.shape()));
  TENSOR_CHECK(bias.dim() == 1 && bias.size(0) == b.size(1), "[addmm] bias {} does not match the {} columns of b {}",
               shape_str(bias.shape()), b.size(1), shape_str(b.shape()));
  Tensor out = bias.unsqueeze(0).expand({a.size(0), b.size(1)}).contiguous();
  TENSOR_DISPATCH(out.device(), matmul, out, a, b, true);
  return out;
}

}  // namespace tensor
