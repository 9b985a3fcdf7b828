// CUDA elementwise kernels: unary, binary and where, one thread per element
// over any strides. Each op is the scalar function of the CPU kernel
// (tensor/cpu/elementwise.cpp) written again for the device, in the same
// arithmetic; only the library functions differ (CUDA's expf, erff, ... are
// within a few ulp of the CPU's; float32 exp on the CPU is its own
// polynomial, tensor/cpu/vec_math.h).
#include <cmath>

#include "tensor/cuda/elementwise.h"
#include "tensor/cuda/scalar_type.cuh"
#include "tensor/cuda/strided.cuh"

namespace tensor::cuda {
namespace {

template <typename T, typename F>
__global__ void unary_kernel(StridedView out, StridedView in, int64_t n, F f) {
  GRID_STRIDE_LOOP(i, n) { element<T>(out, i) = f(element<const T>(in, i)); }
}

template <typename T, typename F>
__global__ void binary_kernel(StridedView out, StridedView a, StridedView b, int64_t n, F f) {
  GRID_STRIDE_LOOP(i, n) { element<T>(out, i) = f(element<const T>(a, i), element<const T>(b, i)); }
}

template <typename T>
__global__ void where_kernel(StridedView out, StridedView cond, StridedView a, StridedView b, int64_t n) {
  GRID_STRIDE_LOOP(i, n) {
    const bool c = element<const T>(cond, i) != T(0);
    element<T>(out, i) = c ? element<const T>(a, i) : element<const T>(b, i);
  }
}

template <typename T, typename F>
void run_unary(const StridedView& out, const StridedView& in, int64_t n, F f) {
  unary_kernel<T><<<blocks_for(n), kBlockSize, 0, stream()>>>(out, in, n, f);
}

template <typename T, typename F>
void run_binary(const StridedView& out, const StridedView& a, const StridedView& b, int64_t n, F f) {
  binary_kernel<T><<<blocks_for(n), kBlockSize, 0, stream()>>>(out, a, b, n, f);
}

// The ops, case for case as in tensor/cpu/elementwise.cpp. Clamp keeps
// std::min(std::max(x, lo), hi)'s comparisons so a NaN passes through as
// on the CPU (fmin/fmax would drop it).
template <typename T>
void unary_typed(UnaryOp op, const StridedView& out, const StridedView& in, T p0, T p1, int64_t n) {
  const T kInvSqrt2 = T(0.70710678118654752440), kInvSqrt2Pi = T(0.39894228040143267794);
  switch (op) {
    case UnaryOp::Neg:
      return run_unary<T>(out, in, n, [] __device__(T x) { return -x; });
    case UnaryOp::Exp:
      return run_unary<T>(out, in, n, [] __device__(T x) { return std::exp(x); });
    case UnaryOp::Log:
      return run_unary<T>(out, in, n, [] __device__(T x) { return std::log(x); });
    case UnaryOp::Sqrt:
      return run_unary<T>(out, in, n, [] __device__(T x) { return std::sqrt(x); });
    case UnaryOp::Rsqrt:
      return run_unary<T>(out, in, n, [] __device__(T x) { return T(1) / std::sqrt(x); });
    case UnaryOp::Sin:
      return run_unary<T>(out, in, n, [] __device__(T x) { return std::sin(x); });
    case UnaryOp::Cos:
      return run_unary<T>(out, in, n, [] __device__(T x) { return std::cos(x); });
    case UnaryOp::Tanh:
      return run_unary<T>(out, in, n, [] __device__(T x) { return std::tanh(x); });
    case UnaryOp::Sigmoid:
      return run_unary<T>(out, in, n, [] __device__(T x) { return T(1) / (T(1) + std::exp(-x)); });
    case UnaryOp::Silu:
      return run_unary<T>(out, in, n, [] __device__(T x) { return x / (T(1) + std::exp(-x)); });
    case UnaryOp::Relu:
      return run_unary<T>(out, in, n, [] __device__(T x) { return x > T(0) ? x : T(0); });
    case UnaryOp::Gelu:  // the exact (erf) form, PyTorch's default
      return run_unary<T>(out, in, n, [=] __device__(T x) { return T(0.5) * x * (T(1) + std::erf(x * kInvSqrt2)); });
    case UnaryOp::GeluGrad:  // Phi(x) + x phi(x)
      return run_unary<T>(out, in, n, [=] __device__(T x) {
        return T(0.5) * (T(1) + std::erf(x * kInvSqrt2)) + x * kInvSqrt2Pi * std::exp(T(-0.5) * x * x);
      });
    case UnaryOp::Abs:
      return run_unary<T>(out, in, n, [] __device__(T x) { return std::abs(x); });
    case UnaryOp::Sign:
      return run_unary<T>(out, in, n, [] __device__(T x) { return T((x > T(0)) - (x < T(0))); });
    case UnaryOp::Square:
      return run_unary<T>(out, in, n, [] __device__(T x) { return x * x; });
    case UnaryOp::Reciprocal:
      return run_unary<T>(out, in, n, [] __device__(T x) { return T(1) / x; });
    case UnaryOp::Erf:
      return run_unary<T>(out, in, n, [] __device__(T x) { return std::erf(x); });
    case UnaryOp::Floor:
      return run_unary<T>(out, in, n, [] __device__(T x) { return std::floor(x); });
    case UnaryOp::PowScalar:
      return run_unary<T>(out, in, n, [=] __device__(T x) { return std::pow(x, p0); });
    case UnaryOp::Clamp:
      return run_unary<T>(out, in, n, [=] __device__(T x) {
        const T lo = x < p0 ? p0 : x;  // std::max(x, p0)
        return p1 < lo ? p1 : lo;      // std::min(lo, p1)
      });
    case UnaryOp::AddScalar:
      return run_unary<T>(out, in, n, [=] __device__(T x) { return x + p0; });
    case UnaryOp::MulScalar:
      return run_unary<T>(out, in, n, [=] __device__(T x) { return x * p0; });
  }
}

template <typename T>
void binary_typed(BinaryOp op, const StridedView& out, const StridedView& a, const StridedView& b, int64_t n) {
  switch (op) {
    case BinaryOp::Add:
      return run_binary<T>(out, a, b, n, [] __device__(T x, T y) { return x + y; });
    case BinaryOp::Sub:
      return run_binary<T>(out, a, b, n, [] __device__(T x, T y) { return x - y; });
    case BinaryOp::Mul:
      return run_binary<T>(out, a, b, n, [] __device__(T x, T y) { return x * y; });
    case BinaryOp::Div:
      return run_binary<T>(out, a, b, n, [] __device__(T x, T y) { return x / y; });
    case BinaryOp::Pow:
      return run_binary<T>(out, a, b, n, [] __device__(T x, T y) { return std::pow(x, y); });
    case BinaryOp::Maximum:
      return run_binary<T>(out, a, b, n, [] __device__(T x, T y) { return x > y ? x : y; });
    case BinaryOp::Minimum:
      return run_binary<T>(out, a, b, n, [] __device__(T x, T y) { return x < y ? x : y; });
    // Comparisons return 1 or 0 in the inputs' dtype (there is no bool dtype).
    case BinaryOp::Eq:
      return run_binary<T>(out, a, b, n, [] __device__(T x, T y) { return T(x == y); });
    case BinaryOp::Ne:
      return run_binary<T>(out, a, b, n, [] __device__(T x, T y) { return T(x != y); });
    case BinaryOp::Lt:
      return run_binary<T>(out, a, b, n, [] __device__(T x, T y) { return T(x < y); });
    case BinaryOp::Le:
      return run_binary<T>(out, a, b, n, [] __device__(T x, T y) { return T(x <= y); });
    case BinaryOp::Gt:
      return run_binary<T>(out, a, b, n, [] __device__(T x, T y) { return T(x > y); });
    case BinaryOp::Ge:
      return run_binary<T>(out, a, b, n, [] __device__(T x, T y) { return T(x >= y); });
    case BinaryOp::SiluBackward:  // g s (1 + x (1 - s)), s = sigmoid(x)
      return run_binary<T>(out, a, b, n, [] __device__(T g, T x) {
        const T s = T(1) / (T(1) + std::exp(-x));
        return g * (s * (x * (-s + T(1)) + T(1)));
      });
  }
}

}  // namespace

void launch_unary(UnaryOp op, ScalarType type, const StridedView& out, const StridedView& in, double p0, double p1,
                  int64_t n) {
  with_float_type(type, [&](auto tag) {
    using T = typename decltype(tag)::type;
    unary_typed<T>(op, out, in, static_cast<T>(p0), static_cast<T>(p1), n);
  });
  DIFFUSE_CUDA_CHECK_LAUNCH("unary");
}

void launch_binary(BinaryOp op, ScalarType type, const StridedView& out, const StridedView& a, const StridedView& b,
                   int64_t n) {
  with_float_type(type, [&](auto tag) { binary_typed<typename decltype(tag)::type>(op, out, a, b, n); });
  DIFFUSE_CUDA_CHECK_LAUNCH("binary");
}

void launch_where(ScalarType type, const StridedView& out, const StridedView& cond, const StridedView& a,
                  const StridedView& b, int64_t n) {
  with_float_type(type, [&](auto tag) {
    using T = typename decltype(tag)::type;
    where_kernel<T><<<blocks_for(n), kBlockSize, 0, stream()>>>(out, cond, a, b, n);
  });
  DIFFUSE_CUDA_CHECK_LAUNCH("where");
}

}  // namespace tensor::cuda
