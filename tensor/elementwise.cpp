// Front-ends of the elementwise ops: broadcast, check, allocate, dispatch.
#include "tensor/dispatch.h"
#include "tensor/ops.h"

namespace tensor {
namespace {

constexpr std::string_view binary_name(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add: return "add";
    case BinaryOp::Sub: return "sub";
    case BinaryOp::Mul: return "mul";
    case BinaryOp::Div: return "div";
    case BinaryOp::Pow: return "pow";
    case BinaryOp::Maximum: return "maximum";
    case BinaryOp::Minimum: return "minimum";
    case BinaryOp::Eq: return "eq";
    case BinaryOp::Ne: return "ne";
    case BinaryOp::Lt: return "lt";
    case BinaryOp::Le: return "le";
    case BinaryOp::Gt: return "gt";
    case BinaryOp::Ge: return "ge";
    case BinaryOp::SiluBackward:
      return "silu_backward";
  }
  return "binary";
}

void check_floating(std::string_view op, const Tensor& t) {
  TENSOR_CHECK(t.defined(), "[{}] got an undefined tensor", op);
  TENSOR_CHECK(is_floating(t.dtype()), "[{}] expects float32 or float64, got {} of shape {}", op,
               dtype_name(t.dtype()), shape_str(t.shape()));
}

Tensor binary_op(BinaryOp op, const Tensor& a, const Tensor& b) {
  const auto name = binary_name(op);
  check_floating(name, a);
  check_same_dtype_device(name, a, b);
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), name);
  Tensor out = Tensor::empty(shape, a.dtype(), a.device());
  TENSOR_DISPATCH(out.device(), binary, op, out, a.expand(shape), b.expand(shape));
  return out;
}

Tensor& binary_inplace(BinaryOp op, Tensor& a, const Tensor& b) {
  const auto name = binary_name(op);
  check_floating(name, a);
  check_same_dtype_device(name, a, b);
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), name);
  TENSOR_CHECK(shape == a.shape(), "[{}_] cannot write the broadcast shape {} into the left operand of shape {}", name,
               shape_str(shape), shape_str(a.shape()));
  check_writable(fmt::format("{}_", name), a);
  TENSOR_DISPATCH(a.device(), binary, op, a, a, unaliased(b.expand(shape), a));
  return a;
}

Tensor unary_op(UnaryOp op, std::string_view name, const Tensor& x, double p0 = 0, double p1 = 0) {
  check_floating(name, x);
  Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
  TENSOR_DISPATCH(out.device(), unary, op, out, x, p0, p1);
  return out;
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::Add, a, b); }
Tensor sub(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::Sub, a, b); }
Tensor mul(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::Mul, a, b); }
Tensor div(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::Div, a, b); }
Tensor pow(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::Pow, a, b); }
Tensor maximum(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::Maximum, a, b); }
Tensor minimum(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::Minimum, a, b); }
Tensor silu_backward(const Tensor& grad, const Tensor& x) { return binary_op(BinaryOp::SiluBackward, grad, x); }
Tensor eq(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::Eq, a, b); }
Tensor ne(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::Ne, a, b); }
Tensor lt(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::Lt, a, b); }
Tensor le(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::Le, a, b); }
Tensor gt(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::Gt, a, b); }
Tensor ge(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::Ge, a, b); }

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  check_floating("where", a);
  check_same_dtype_device("where", a, b);
  check_same_dtype_device("where", cond, a);
  const Shape shape = broadcast_shapes(broadcast_shapes(cond.shape(), a.shape(), "where"), b.shape(), "where");
  Tensor out = Tensor::empty(shape, a.dtype(), a.device());
  TENSOR_DISPATCH(out.device(), where, out, cond.expand(shape), a.expand(shape), b.expand(shape));
  return out;
}

Tensor neg(const Tensor& x) { return unary_op(UnaryOp::Neg, "neg", x); }
Tensor exp(const Tensor& x) { return unary_op(UnaryOp::Exp, "exp", x); }
Tensor log(const Tensor& x) { return unary_op(UnaryOp::Log, "log", x); }
Tensor sqrt(const Tensor& x) { return unary_op(UnaryOp::Sqrt, "sqrt", x); }
Tensor rsqrt(const Tensor& x) { return unary_op(UnaryOp::Rsqrt, "rsqrt", x); }
Tensor sin(const Tensor& x) { return unary_op(UnaryOp::Sin, "sin", x); }
Tensor cos(const Tensor& x) { return unary_op(UnaryOp::Cos, "cos", x); }
Tensor tanh(const Tensor& x) { return unary_op(UnaryOp::Tanh, "tanh", x); }
Tensor sigmoid(const Tensor& x) { return unary_op(UnaryOp::Sigmoid, "sigmoid", x); }
Tensor silu(const Tensor& x) { return unary_op(UnaryOp::Silu, "silu", x); }
Tensor relu(const Tensor& x) { return unary_op(UnaryOp::Relu, "relu", x); }
Tensor gelu(const Tensor& x) { return unary_op(UnaryOp::Gelu, "gelu", x); }
Tensor gelu_grad(const Tensor& x) { return unary_op(UnaryOp::GeluGrad, "gelu_grad", x); }
Tensor abs(const Tensor& x) { return unary_op(UnaryOp::Abs, "abs", x); }
Tensor sign(const Tensor& x) { return unary_op(UnaryOp::Sign, "sign", x); }
Tensor square(const Tensor& x) { return unary_op(UnaryOp::Square, "square", x); }
Tensor reciprocal(const Tensor& x) { return unary_op(UnaryOp::Reciprocal, "reciprocal", x); }
Tensor erf(const Tensor& x) { return unary_op(UnaryOp::Erf, "erf", x); }
Tensor floor(const Tensor& x) { return unary_op(UnaryOp::Floor, "floor", x); }
Tensor pow(const Tensor& x, double exponent) { return unary_op(UnaryOp::PowScalar, "pow", x, exponent); }
Tensor clamp(const Tensor& x, double lo, double hi) {
  TENSOR_CHECK(lo <= hi, "[clamp] lower bound {} exceeds upper bound {}", lo, hi);
  return unary_op(UnaryOp::Clamp, "clamp", x, lo, hi);
}
Tensor add(const Tensor& x, double value) { return unary_op(UnaryOp::AddScalar, "add", x, value); }
Tensor mul(const Tensor& x, double value) { return unary_op(UnaryOp::MulScalar, "mul", x, value); }

Tensor& add_(Tensor& a, const Tensor& b) { return binary_inplace(BinaryOp::Add, a, b); }
Tensor& sub_(Tensor& a, const Tensor& b) { return binary_inplace(BinaryOp::Sub, a, b); }
Tensor& mul_(Tensor& a, const Tensor& b) { return binary_inplace(BinaryOp::Mul, a, b); }
Tensor& div_(Tensor& a, const Tensor& b) { return binary_inplace(BinaryOp::Div, a, b); }

Tensor& unary_(Tensor& x, UnaryOp op, double p0, double p1) {
  check_floating("unary_", x);
  check_writable("unary_", x);
  TENSOR_DISPATCH(x.device(), unary, op, x, x, p0, p1);
  return x;
}
Tensor& add_(Tensor& a, double value) { return unary_(a, UnaryOp::AddScalar, value); }
Tensor& mul_(Tensor& a, double value) { return unary_(a, UnaryOp::MulScalar, value); }

Tensor& add_scaled_(Tensor& a, const Tensor& b, double alpha) {
  if (alpha == 1.0) return add_(a, b);
  return add_(a, mul(b, alpha));
}

}  // namespace tensor
