// CPU elementwise kernels: unary, binary and where. Each op is a scalar
// function; apply_unary/apply_binary run it over the strided loop with a
// contiguous fast path the compiler can vectorize.
#include <cmath>

#include "tensor/cpu/isa.h"
#include "tensor/cpu/kernels.h"
#include "tensor/cpu/strided_loop.h"
#include "tensor/cpu/vec_math.h"

// Last, so that only this file's functions get the copy's instruction set, and
// one copy per instruction set (Note [Kernels per instruction set] in isa.h).
#include "tensor/cpu/isa_target_begin.h"

namespace tensor::cpu::DIFFUSE_ISA {
namespace {

// The loops over a run are flattened (every call in them inlined): the op's
// scalar function must be inlined for the loop to vectorize, and GCC's size
// limits for this file, which instantiates both loops for every op, left
// some ops (silu_backward's, in the portable build's copies) a call per
// element, three times slower.
template <typename T, typename F>
void apply_unary(const Tensor& out, const Tensor& in, F f) {
  strided_loop<2>(
      {&out, &in}, [&f](std::array<char*, 2> p, int64_t n, std::array<int64_t, 2> s) __attribute__((flatten)) {
        T* o = reinterpret_cast<T*>(p[0]);
        const T* x = reinterpret_cast<const T*>(p[1]);
        if (s[0] == sizeof(T) && s[1] == sizeof(T)) {
#pragma omp simd
          for (int64_t i = 0; i < n; ++i) o[i] = f(x[i]);
        } else {
          for (int64_t i = 0; i < n; ++i)
            *reinterpret_cast<T*>(p[0] + i * s[0]) = f(*reinterpret_cast<const T*>(p[1] + i * s[1]));
        }
      });
}

template <typename T, typename F>
void apply_binary(const Tensor& out, const Tensor& a, const Tensor& b, F f) {
  strided_loop<3>(
      {&out, &a, &b}, [&f](std::array<char*, 3> p, int64_t n, std::array<int64_t, 3> s) __attribute__((flatten)) {
        T* o = reinterpret_cast<T*>(p[0]);
        const T* x = reinterpret_cast<const T*>(p[1]);
        const T* y = reinterpret_cast<const T*>(p[2]);
        constexpr int64_t e = sizeof(T);
        if (s[0] == e && s[1] == e && s[2] == e) {
#pragma omp simd
          for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], y[i]);
        } else if (s[0] == e && s[1] == e && s[2] == 0) {  // tensor op broadcast scalar/row
          const T yv = *y;
#pragma omp simd
          for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], yv);
        } else if (s[0] == e && s[1] == 0 && s[2] == e) {
          const T xv = *x;
#pragma omp simd
          for (int64_t i = 0; i < n; ++i) o[i] = f(xv, y[i]);
        } else {
          for (int64_t i = 0; i < n; ++i)
            *reinterpret_cast<T*>(p[0] + i * s[0]) =
                f(*reinterpret_cast<const T*>(p[1] + i * s[1]), *reinterpret_cast<const T*>(p[2] + i * s[2]));
        }
      });
}

template <typename T>
void unary_typed(UnaryOp op, const Tensor& out, const Tensor& in, T p0, T p1) {
  const T kInvSqrt2 = T(0.70710678118654752440), kInvSqrt2Pi = T(0.39894228040143267794);
  switch (op) {
    case UnaryOp::Neg: return apply_unary<T>(out, in, [](T x) { return -x; });
    case UnaryOp::Exp: return apply_unary<T>(out, in, [](T x) { return exp_t(x); });
    case UnaryOp::Log: return apply_unary<T>(out, in, [](T x) { return std::log(x); });
    case UnaryOp::Sqrt: return apply_unary<T>(out, in, [](T x) { return std::sqrt(x); });
    case UnaryOp::Rsqrt: return apply_unary<T>(out, in, [](T x) { return T(1) / std::sqrt(x); });
    case UnaryOp::Sin: return apply_unary<T>(out, in, [](T x) { return std::sin(x); });
    case UnaryOp::Cos: return apply_unary<T>(out, in, [](T x) { return std::cos(x); });
    case UnaryOp::Tanh: return apply_unary<T>(out, in, [](T x) { return std::tanh(x); });
    case UnaryOp::Sigmoid: return apply_unary<T>(out, in, [](T x) { return T(1) / (T(1) + exp_t(-x)); });
    case UnaryOp::Silu: return apply_unary<T>(out, in, [](T x) { return x / (T(1) + exp_t(-x)); });
    case UnaryOp::Relu: return apply_unary<T>(out, in, [](T x) { return x > T(0) ? x : T(0); });
    case UnaryOp::Gelu:  // the exact (erf) form, PyTorch's default
      return apply_unary<T>(out, in, [=](T x) { return T(0.5) * x * (T(1) + std::erf(x * kInvSqrt2)); });
    case UnaryOp::GeluGrad:  // Phi(x) + x phi(x)
      return apply_unary<T>(out, in, [=](T x) {
        return T(0.5) * (T(1) + std::erf(x * kInvSqrt2)) + x * kInvSqrt2Pi * std::exp(T(-0.5) * x * x);
      });
    case UnaryOp::Abs: return apply_unary<T>(out, in, [](T x) { return std::abs(x); });
    case UnaryOp::Sign: return apply_unary<T>(out, in, [](T x) { return T((x > T(0)) - (x < T(0))); });
    case UnaryOp::Square: return apply_unary<T>(out, in, [](T x) { return x * x; });
    case UnaryOp::Reciprocal: return apply_unary<T>(out, in, [](T x) { return T(1) / x; });
    case UnaryOp::Erf: return apply_unary<T>(out, in, [](T x) { return std::erf(x); });
    case UnaryOp::Floor: return apply_unary<T>(out, in, [](T x) { return std::floor(x); });
    case UnaryOp::PowScalar: return apply_unary<T>(out, in, [p0](T x) { return std::pow(x, p0); });
    case UnaryOp::Clamp: return apply_unary<T>(out, in, [p0, p1](T x) { return std::min(std::max(x, p0), p1); });
    case UnaryOp::AddScalar: return apply_unary<T>(out, in, [p0](T x) { return x + p0; });
    case UnaryOp::MulScalar: return apply_unary<T>(out, in, [p0](T x) { return x * p0; });
  }
}

template <typename T>
void binary_typed(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b) {
  switch (op) {
    case BinaryOp::Add: return apply_binary<T>(out, a, b, [](T x, T y) { return x + y; });
    case BinaryOp::Sub: return apply_binary<T>(out, a, b, [](T x, T y) { return x - y; });
    case BinaryOp::Mul: return apply_binary<T>(out, a, b, [](T x, T y) { return x * y; });
    case BinaryOp::Div: return apply_binary<T>(out, a, b, [](T x, T y) { return x / y; });
    case BinaryOp::Pow: return apply_binary<T>(out, a, b, [](T x, T y) { return std::pow(x, y); });
    case BinaryOp::Maximum: return apply_binary<T>(out, a, b, [](T x, T y) { return x > y ? x : y; });
    case BinaryOp::Minimum: return apply_binary<T>(out, a, b, [](T x, T y) { return x < y ? x : y; });
    // Comparisons return 1 or 0 in the inputs' dtype (there is no bool dtype).
    case BinaryOp::Eq: return apply_binary<T>(out, a, b, [](T x, T y) { return T(x == y); });
    case BinaryOp::Ne: return apply_binary<T>(out, a, b, [](T x, T y) { return T(x != y); });
    case BinaryOp::Lt: return apply_binary<T>(out, a, b, [](T x, T y) { return T(x < y); });
    case BinaryOp::Le: return apply_binary<T>(out, a, b, [](T x, T y) { return T(x <= y); });
    case BinaryOp::Gt: return apply_binary<T>(out, a, b, [](T x, T y) { return T(x > y); });
    case BinaryOp::Ge:
      return apply_binary<T>(out, a, b, [](T x, T y) { return T(x >= y); });
    case BinaryOp::SiluBackward:  // g s (1 + x (1 - s)), s = sigmoid(x): the composed rule's operations
      return apply_binary<T>(out, a, b, [](T g, T x) {
        const T s = T(1) / (T(1) + exp_t(-x));
        return g * (s * (x * (-s + T(1)) + T(1)));
      });
  }
}

}  // namespace

void unary(UnaryOp op, const Tensor& out, const Tensor& in, double p0, double p1) {
  dispatch_float(out.dtype(), "unary", [&](auto tag) {
    using T = typename decltype(tag)::type;
    unary_typed<T>(op, out, in, static_cast<T>(p0), static_cast<T>(p1));
  });
}

void binary(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b) {
  dispatch_float(out.dtype(), "binary", [&](auto tag) { binary_typed<typename decltype(tag)::type>(op, out, a, b); });
}

void where(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  dispatch_float(out.dtype(), "where", [&](auto tag) {
    using T = typename decltype(tag)::type;
    strided_loop<4>({&out, &cond, &a, &b}, [](std::array<char*, 4> p, int64_t n, std::array<int64_t, 4> s) {
      for (int64_t i = 0; i < n; ++i) {
        const bool c = *reinterpret_cast<const T*>(p[1] + i * s[1]) != T(0);
        *reinterpret_cast<T*>(p[0] + i * s[0]) = *reinterpret_cast<const T*>(p[c ? 2 : 3] + i * s[c ? 2 : 3]);
      }
    });
  });
}

}  // namespace tensor::cpu::DIFFUSE_ISA

#include "tensor/cpu/isa_target_end.h"
