// Differentiable elementwise ops and their backward rules. Binary rules
// undo broadcasting with sum_to_shape: an input broadcast along a dim
// receives the sum of the gradients along it.
#include <cmath>

#include "autograd/node.h"
#include "autograd/ops.h"

namespace autograd {

namespace t = tensor;

// ---------------------------------------------------------------- binary

struct AddBackward : Node {
  Shape a_shape, b_shape;
  const char* name() const override { return "add"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    return {t::sum_to_shape(g, a_shape), t::sum_to_shape(g, b_shape)};
  }
};
Variable add(const Variable& a, const Variable& b) {
  Tensor out = t::add(a.data(), b.data());
  if (!needs_grad({a, b})) return Variable(out);
  auto node = std::make_shared<AddBackward>();
  node->a_shape = a.shape();
  node->b_shape = b.shape();
  return record(out, node, {a, b});
}

struct SubBackward : Node {
  Shape a_shape, b_shape;
  const char* name() const override { return "sub"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    return {t::sum_to_shape(g, a_shape), needs_input_grad(1) ? t::neg(t::sum_to_shape(g, b_shape)) : Tensor()};
  }
};
Variable sub(const Variable& a, const Variable& b) {
  Tensor out = t::sub(a.data(), b.data());
  if (!needs_grad({a, b})) return Variable(out);
  auto node = std::make_shared<SubBackward>();
  node->a_shape = a.shape();
  node->b_shape = b.shape();
  return record(out, node, {a, b});
}

// d(ab) = b da + a db
struct MulBackward : Node {
  Tensor a, b;
  const char* name() const override { return "mul"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    return {needs_input_grad(0) ? t::sum_to_shape(t::mul(g, b), a.shape()) : Tensor(),
            needs_input_grad(1) ? t::sum_to_shape(t::mul(g, a), b.shape()) : Tensor()};
  }
};
Variable mul(const Variable& a, const Variable& b) {
  Tensor out = t::mul(a.data(), b.data());
  if (!needs_grad({a, b})) return Variable(out);
  auto node = std::make_shared<MulBackward>();
  node->a = a.data();
  node->b = b.data();
  return record(out, node, {a, b});
}

// d(a/b) = da / b - a db / b^2
struct DivBackward : Node {
  Tensor a, b;
  const char* name() const override { return "div"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor g_over_b = t::div(g, b);
    return {needs_input_grad(0) ? t::sum_to_shape(g_over_b, a.shape()) : Tensor(),
            needs_input_grad(1) ? t::sum_to_shape(t::neg(t::mul(g_over_b, t::div(a, b))), b.shape()) : Tensor()};
  }
};
Variable div(const Variable& a, const Variable& b) {
  Tensor out = t::div(a.data(), b.data());
  if (!needs_grad({a, b})) return Variable(out);
  auto node = std::make_shared<DivBackward>();
  node->a = a.data();
  node->b = b.data();
  return record(out, node, {a, b});
}

// d(a^b) = b a^(b-1) da + a^b log(a) db
struct PowBackward : Node {
  Tensor a, b, out;
  const char* name() const override { return "pow"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    return {needs_input_grad(0) ? t::sum_to_shape(t::mul(g, t::mul(b, t::pow(a, t::add(b, -1.0)))), a.shape())
                                : Tensor(),
            needs_input_grad(1) ? t::sum_to_shape(t::mul(g, t::mul(out, t::log(a))), b.shape()) : Tensor()};
  }
};
Variable pow(const Variable& a, const Variable& b) {
  Tensor out = t::pow(a.data(), b.data());
  if (!needs_grad({a, b})) return Variable(out);
  auto node = std::make_shared<PowBackward>();
  node->a = a.data();
  node->b = b.data();
  node->out = out;
  return record(out, node, {a, b});
}

// maximum/minimum: the gradient goes to the selected input; ties split it evenly.
struct MinMaxBackward : Node {
  Tensor a, b;
  bool is_max = true;
  const char* name() const override { return is_max ? "maximum" : "minimum"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor a_wins = is_max ? t::gt(a, b) : t::lt(a, b);
    Tensor tie = t::eq(a, b);
    Tensor a_share = t::add(a_wins, t::mul(tie, 0.5));  // 1, 0.5 or 0
    Tensor b_share = t::sub(t::ones_like(a_share), a_share);
    return {needs_input_grad(0) ? t::sum_to_shape(t::mul(g, a_share), a.shape()) : Tensor(),
            needs_input_grad(1) ? t::sum_to_shape(t::mul(g, b_share), b.shape()) : Tensor()};
  }
};
static Variable min_max(const Variable& a, const Variable& b, bool is_max) {
  Tensor out = is_max ? t::maximum(a.data(), b.data()) : t::minimum(a.data(), b.data());
  if (!needs_grad({a, b})) return Variable(out);
  auto node = std::make_shared<MinMaxBackward>();
  node->a = a.data();
  node->b = b.data();
  node->is_max = is_max;
  return record(out, node, {a, b});
}
Variable maximum(const Variable& a, const Variable& b) { return min_max(a, b, true); }
Variable minimum(const Variable& a, const Variable& b) { return min_max(a, b, false); }

struct WhereBackward : Node {
  Tensor cond;
  Shape a_shape, b_shape;
  const char* name() const override { return "where"; }
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor zero = t::zeros_like(g);
    return {needs_input_grad(0) ? t::sum_to_shape(t::where(cond, g, zero), a_shape) : Tensor(),
            needs_input_grad(1) ? t::sum_to_shape(t::where(cond, zero, g), b_shape) : Tensor()};
  }
};
Variable where(const Tensor& cond, const Variable& a, const Variable& b) {
  Tensor out = t::where(cond, a.data(), b.data());
  if (!needs_grad({a, b})) return Variable(out);
  auto node = std::make_shared<WhereBackward>();
  node->cond = cond;
  node->a_shape = a.shape();
  node->b_shape = b.shape();
  return record(out, node, {a, b});
}

// ---------------------------------------------------------------- unary
// Each unary rule is g * f'(x), with f'(x) written from the saved input x
// or the saved output y, whichever is cheaper; or, where a kernel computes
// g * f'(x) in one pass (SiLU's), that kernel.

struct UnaryBackward : Node {
  const char* op = "";
  Tensor x, y;
  double p0 = 0, p1 = 0;
  Tensor (*derivative)(const UnaryBackward&) = nullptr;                   // f'(x), from x, y, p0, p1
  Tensor (*input_grad)(const Tensor& g, const UnaryBackward&) = nullptr;  // g * f'(x) in one pass, if set
  const char* name() const override { return op; }
  std::vector<Tensor> backward(const Tensor& g) override {
    return {input_grad ? input_grad(g, *this) : t::mul(g, derivative(*this))};
  }
};

static Variable unary(const char* op, const Variable& x, Tensor y, Tensor (*derivative)(const UnaryBackward&),
                      bool save_x, bool save_y, double p0 = 0, double p1 = 0,
                      Tensor (*input_grad)(const Tensor& g, const UnaryBackward&) = nullptr) {
  if (!needs_grad({x})) return Variable(y);
  auto node = std::make_shared<UnaryBackward>();
  node->op = op;
  if (save_x) node->x = x.data();
  if (save_y) node->y = y;
  node->p0 = p0;
  node->p1 = p1;
  node->derivative = derivative;
  node->input_grad = input_grad;
  return record(y, node, {x});
}

Variable neg(const Variable& x) {
  return unary("neg", x, t::neg(x.data()), [](const UnaryBackward& n) { return t::full_like(n.x, -1.0); }, true,
               false);
}
Variable add(const Variable& x, double value) {
  return unary("add_scalar", x, t::add(x.data(), value), [](const UnaryBackward& n) { return t::ones_like(n.x); },
               true, false);
}
Variable mul(const Variable& x, double value) {
  return unary("mul_scalar", x, t::mul(x.data(), value),
               [](const UnaryBackward& n) { return t::full_like(n.x, n.p0); }, true, false, value);
}
// d exp(x) = exp(x)
Variable exp(const Variable& x) {
  return unary("exp", x, t::exp(x.data()), [](const UnaryBackward& n) { return n.y; }, false, true);
}
// d log(x) = 1/x
Variable log(const Variable& x) {
  return unary("log", x, t::log(x.data()), [](const UnaryBackward& n) { return t::reciprocal(n.x); }, true, false);
}
// d sqrt(x) = 1 / (2 sqrt(x))
Variable sqrt(const Variable& x) {
  return unary("sqrt", x, t::sqrt(x.data()), [](const UnaryBackward& n) { return t::mul(t::reciprocal(n.y), 0.5); },
               false, true);
}
// d x^(-1/2) = -1/2 x^(-3/2) = -1/2 y^3
Variable rsqrt(const Variable& x) {
  return unary("rsqrt", x, t::rsqrt(x.data()),
               [](const UnaryBackward& n) { return t::mul(t::pow(n.y, 3.0), -0.5); }, false, true);
}
Variable sin(const Variable& x) {
  return unary("sin", x, t::sin(x.data()), [](const UnaryBackward& n) { return t::cos(n.x); }, true, false);
}
Variable cos(const Variable& x) {
  return unary("cos", x, t::cos(x.data()), [](const UnaryBackward& n) { return t::neg(t::sin(n.x)); }, true, false);
}
// d tanh = 1 - tanh^2
Variable tanh(const Variable& x) {
  return unary("tanh", x, t::tanh(x.data()),
               [](const UnaryBackward& n) { return t::add(t::neg(t::square(n.y)), 1.0); }, false, true);
}
// d sigmoid = s (1 - s)
Variable sigmoid(const Variable& x) {
  return unary("sigmoid", x, t::sigmoid(x.data()),
               [](const UnaryBackward& n) { return t::mul(n.y, t::add(t::neg(n.y), 1.0)); }, false, true);
}
// d (x s(x)) = s(x) (1 + x (1 - s(x))), times g in one pass (silu_backward: it was seven, sigmoid, neg,
// add, mul, add, mul and the product with g, then two, the derivative and the product)
Variable silu(const Variable& x) {
  return unary("silu", x, t::silu(x.data()), nullptr, true, false, 0, 0,
               [](const Tensor& g, const UnaryBackward& n) { return t::silu_backward(g, n.x); });
}
Variable relu(const Variable& x) {
  return unary("relu", x, t::relu(x.data()),
               [](const UnaryBackward& n) { return t::gt(n.x, t::zeros_like(n.x)); }, true, false);
}
Variable gelu(const Variable& x) {
  return unary("gelu", x, t::gelu(x.data()), [](const UnaryBackward& n) { return t::gelu_grad(n.x); }, true, false);
}
// d |x| = sign(x) (0 at 0, like PyTorch)
Variable abs(const Variable& x) {
  return unary("abs", x, t::abs(x.data()), [](const UnaryBackward& n) { return t::sign(n.x); }, true, false);
}
Variable square(const Variable& x) {
  return unary("square", x, t::square(x.data()), [](const UnaryBackward& n) { return t::mul(n.x, 2.0); }, true,
               false);
}
// d (1/x) = -1/x^2 = -y^2
Variable reciprocal(const Variable& x) {
  return unary("reciprocal", x, t::reciprocal(x.data()),
               [](const UnaryBackward& n) { return t::neg(t::square(n.y)); }, false, true);
}
// d x^p = p x^(p-1)
Variable pow(const Variable& x, double exponent) {
  return unary("pow_scalar", x, t::pow(x.data(), exponent),
               [](const UnaryBackward& n) { return t::mul(t::pow(n.x, n.p0 - 1.0), n.p0); }, true, false, exponent);
}
// The gradient passes where lo <= x <= hi and is 0 where clamped.
Variable clamp(const Variable& x, double lo, double hi) {
  return unary("clamp", x, t::clamp(x.data(), lo, hi),
               [](const UnaryBackward& n) {
                 return t::mul(t::ge(n.x, t::full_like(n.x, n.p0)), t::le(n.x, t::full_like(n.x, n.p1)));
               },
               true, false, lo, hi);
}

}  // namespace autograd
