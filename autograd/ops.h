// The differentiable ops: the same names as tensor/ops.h, on Variables.
// Each wrapper runs the tensor op and, when a gradient is needed, records a
// Node whose backward rule sits beside it in the file named below.
#pragma once
#include <vector>

#include "autograd/grad_mode.h"
#include "autograd/variable.h"

namespace autograd {

// ---- elementwise.cpp ----
Variable add(const Variable& a, const Variable& b);
Variable sub(const Variable& a, const Variable& b);
Variable mul(const Variable& a, const Variable& b);
Variable div(const Variable& a, const Variable& b);
Variable pow(const Variable& a, const Variable& b);
Variable maximum(const Variable& a, const Variable& b);
Variable minimum(const Variable& a, const Variable& b);
// cond is not differentiated (a 0/1 mask, e.g. from tensor::gt).
Variable where(const Tensor& cond, const Variable& a, const Variable& b);
Variable add(const Variable& x, double value);
Variable mul(const Variable& x, double value);
Variable pow(const Variable& x, double exponent);
Variable clamp(const Variable& x, double lo, double hi);
Variable neg(const Variable& x);
Variable exp(const Variable& x);
Variable log(const Variable& x);
Variable sqrt(const Variable& x);
Variable rsqrt(const Variable& x);
Variable sin(const Variable& x);
Variable cos(const Variable& x);
Variable tanh(const Variable& x);
Variable sigmoid(const Variable& x);
Variable silu(const Variable& x);
Variable relu(const Variable& x);
Variable gelu(const Variable& x);
Variable abs(const Variable& x);
Variable square(const Variable& x);
Variable reciprocal(const Variable& x);

// ---- reduce.cpp ----
Variable sum(const Variable& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
Variable mean(const Variable& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
Variable amax(const Variable& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
Variable amin(const Variable& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
Variable var(const Variable& x, const std::vector<int64_t>& dims = {}, bool keepdim = false, int64_t correction = 1);
Variable softmax(const Variable& x, int64_t dim);
Variable log_softmax(const Variable& x, int64_t dim);
Variable logsumexp(const Variable& x, const std::vector<int64_t>& dims, bool keepdim = false);

// ---- linalg.cpp ----
Variable matmul(const Variable& a, const Variable& b);
Variable addmm(const Variable& bias, const Variable& a, const Variable& b);  // bias (N) + a (M, K) @ b (K, N)

// ---- conv.cpp ----
Variable conv2d(const Variable& x, const Variable& w, const Variable& bias = {}, int64_t stride = 1,
                int64_t padding = 0);
Variable upsample_nearest2d(const Variable& x, int64_t scale);

// ---- shape.cpp: views and joins ----
Variable reshape(const Variable& x, const Shape& shape);
Variable permute(const Variable& x, const std::vector<int64_t>& order);
Variable transpose(const Variable& x, int64_t d0, int64_t d1);
Variable narrow(const Variable& x, int64_t dim, int64_t start, int64_t length);
Variable select(const Variable& x, int64_t dim, int64_t index);
Variable expand(const Variable& x, const Shape& shape);
Variable squeeze(const Variable& x, int64_t dim);
Variable unsqueeze(const Variable& x, int64_t dim);
Variable contiguous(const Variable& x);
Variable cat(const std::vector<Variable>& xs, int64_t dim);
Variable stack(const std::vector<Variable>& xs, int64_t dim);
Variable index_select(const Variable& src, int64_t dim, const Tensor& index);

// ---- Operators ----
inline Variable operator+(const Variable& a, const Variable& b) { return add(a, b); }
inline Variable operator-(const Variable& a, const Variable& b) { return sub(a, b); }
inline Variable operator*(const Variable& a, const Variable& b) { return mul(a, b); }
inline Variable operator/(const Variable& a, const Variable& b) { return div(a, b); }
inline Variable operator-(const Variable& a) { return neg(a); }
inline Variable operator+(const Variable& a, double s) { return add(a, s); }
inline Variable operator+(double s, const Variable& a) { return add(a, s); }
inline Variable operator-(const Variable& a, double s) { return add(a, -s); }
inline Variable operator-(double s, const Variable& a) { return add(neg(a), s); }
inline Variable operator*(const Variable& a, double s) { return mul(a, s); }
inline Variable operator*(double s, const Variable& a) { return mul(a, s); }
inline Variable operator/(const Variable& a, double s) { return mul(a, 1.0 / s); }
inline Variable operator/(double s, const Variable& a) { return mul(reciprocal(a), s); }

}  // namespace autograd

namespace autograd {

// ---- norm.cpp: fused GroupNorm (+ SiLU) with a hand-written backward ----
// The same values as the composition in nn/layers/group_norm.cpp
// (group_norm_composed), in one pass forward and one backward.
Variable group_norm(const Variable& x, int64_t groups, const Variable& weight, const Variable& bias, double eps,
                    bool silu = false);

}  // namespace autograd
