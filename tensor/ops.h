// The numeric ops of the tensor layer: the front-ends. Each checks its
// inputs (naming the op and the shapes in any error), works out the output
// shape, allocates it and dispatches to a kernel (Note [Dispatch]). Outputs
// are new contiguous tensors unless the name ends in '_' (in place).
// Nothing here records gradients; autograd/ wraps these ops for that.
#pragma once
#include <initializer_list>
#include <vector>

#include "tensor/kernel_ops.h"
#include "tensor/tensor.h"

namespace tensor {

// ---- Factories (factory.cpp) ----
Tensor zeros(const Shape& shape, DType dtype = DType::Float32, Device device = Device::CPU);
Tensor ones(const Shape& shape, DType dtype = DType::Float32, Device device = Device::CPU);
Tensor full(const Shape& shape, double value, DType dtype = DType::Float32, Device device = Device::CPU);
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor full_like(const Tensor& t, double value);
Tensor empty_like(const Tensor& t);
// A 0-dim tensor holding one value.
Tensor scalar(double value, DType dtype = DType::Float32, Device device = Device::CPU);
// start, start+step, ... while < end (or > end for a negative step).
Tensor arange(double start, double end, double step = 1.0, DType dtype = DType::Float32, Device device = Device::CPU);
// `steps` values from start to end inclusive, evenly spaced.
Tensor linspace(double start, double end, int64_t steps, DType dtype = DType::Float32, Device device = Device::CPU);
// Copies host values into a new tensor of the given shape (numel must match),
// converted on the host and then copied to `device`.
Tensor from_vector(const std::vector<double>& values, const Shape& shape, DType dtype = DType::Float32,
                   Device device = Device::CPU);
Tensor from_vector(const std::vector<float>& values, const Shape& shape, DType dtype = DType::Float32,
                   Device device = Device::CPU);
Tensor from_vector(const std::vector<int64_t>& values, const Shape& shape, DType dtype = DType::Int64,
                   Device device = Device::CPU);
// A 1-D tensor: from_list({1, 2, 3}).
Tensor from_list(std::initializer_list<double> values, DType dtype = DType::Float32, Device device = Device::CPU);

// ---- Elementwise (elementwise.cpp), NumPy broadcasting ----
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, const Tensor& b);
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
// Comparisons give 1 or 0 in the inputs' dtype.
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
// cond ? a : b, elementwise (cond nonzero means true), broadcast over all three.
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);

Tensor neg(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor rsqrt(const Tensor& x);
Tensor sin(const Tensor& x);
Tensor cos(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor silu(const Tensor& x);
Tensor relu(const Tensor& x);
Tensor gelu(const Tensor& x);       // exact: x * Phi(x)
Tensor gelu_grad(const Tensor& x);  // d gelu / dx
// grad * d silu / dx at x = grad s (1 + x (1 - s)), s = sigmoid(x): SiLU's backward rule in one pass
// (grad and x broadcast like the other binary ops)
Tensor silu_backward(const Tensor& grad, const Tensor& x);
Tensor abs(const Tensor& x);
Tensor sign(const Tensor& x);
Tensor square(const Tensor& x);
Tensor reciprocal(const Tensor& x);
Tensor erf(const Tensor& x);
Tensor floor(const Tensor& x);
Tensor pow(const Tensor& x, double exponent);
Tensor clamp(const Tensor& x, double lo, double hi);
Tensor add(const Tensor& x, double value);
Tensor mul(const Tensor& x, double value);

// In place: the result is written into the first argument (which may be a view).
Tensor& add_(Tensor& a, const Tensor& b);
Tensor& sub_(Tensor& a, const Tensor& b);
Tensor& mul_(Tensor& a, const Tensor& b);
Tensor& div_(Tensor& a, const Tensor& b);
Tensor& add_(Tensor& a, double value);
Tensor& mul_(Tensor& a, double value);
// a += alpha * b (the optimizer's update), one pass.
Tensor& add_scaled_(Tensor& a, const Tensor& b, double alpha);
// Applies a unary op in place: x = op(x).
Tensor& unary_(Tensor& x, UnaryOp op, double p0 = 0, double p1 = 0);

// ---- Reductions (reduce.cpp): over `dims` (empty = all dims) ----
Tensor sum(const Tensor& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
Tensor mean(const Tensor& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
Tensor amax(const Tensor& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
Tensor amin(const Tensor& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
// Variance with Bessel's correction (divide by n - correction), like torch.var.
Tensor var(const Tensor& x, const std::vector<int64_t>& dims = {}, bool keepdim = false, int64_t correction = 1);
Tensor softmax(const Tensor& x, int64_t dim);
Tensor log_softmax(const Tensor& x, int64_t dim);
// Sums x down to `shape`, undoing a broadcast (the adjoint of expand).
Tensor sum_to_shape(const Tensor& x, const Shape& shape);

// ---- Linear algebra (linalg.cpp) ----
// (..., M, K) @ (..., K, N) -> (..., M, N), batch dims broadcast. 1-D operands
// are promoted as in NumPy (a vector is a row on the left, a column on the right).
Tensor matmul(const Tensor& a, const Tensor& b);
// bias (N) + a (M, K) @ b (K, N), as a Linear layer computes it: the bias is
// copied into every row of the output and the GEMM adds the product onto it,
// one pass over the output instead of a GEMM and then an add.
Tensor addmm(const Tensor& bias, const Tensor& a, const Tensor& b);

// ---- Convolution and resampling (conv.cpp), NCHW ----
Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& bias = {}, int64_t stride = 1, int64_t padding = 0);
Tensor conv2d_backward_input(const Tensor& grad_out, const Tensor& w, const Shape& x_shape, int64_t stride,
                             int64_t padding);
Tensor conv2d_backward_weight(const Tensor& grad_out, const Tensor& x, const Shape& w_shape, int64_t stride,
                              int64_t padding);
// Nearest-neighbour upsampling by an integer factor; and its adjoint (sum over each block).
Tensor upsample_nearest2d(const Tensor& x, int64_t scale);
Tensor upsample_nearest2d_backward(const Tensor& grad_out, int64_t scale);

// ---- Joining and indexing (indexing.cpp) ----
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim);
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim);
// Rows of src along dim picked by an Int64 index vector: embedding lookups, alpha_bar[t].
Tensor index_select(const Tensor& src, int64_t dim, const Tensor& index);
// out.narrow(dim, index[i], 1) += src.narrow(dim, i, 1) for each i; repeated indices add up.
Tensor& index_add_(Tensor& out, int64_t dim, const Tensor& index, const Tensor& src);

// ---- Operators ----
inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator-(const Tensor& a) { return neg(a); }
inline Tensor operator+(const Tensor& a, double s) { return add(a, s); }
inline Tensor operator+(double s, const Tensor& a) { return add(a, s); }
inline Tensor operator-(const Tensor& a, double s) { return add(a, -s); }
inline Tensor operator-(double s, const Tensor& a) { return add(neg(a), s); }
inline Tensor operator*(const Tensor& a, double s) { return mul(a, s); }
inline Tensor operator*(double s, const Tensor& a) { return mul(a, s); }
inline Tensor operator/(const Tensor& a, double s) { return mul(a, 1.0 / s); }
inline Tensor operator/(double s, const Tensor& a) { return mul(reciprocal(a), s); }

// ---- Optimizer updates (optim.cpp) ----
// One Adam/AdamW step in place (PyTorch's single-tensor rule, nn/optim/adam.h):
// param, grad, exp_avg and exp_avg_sq contiguous, of one shape, dtype and device.
void adam_step_(Tensor& param, const Tensor& grad, Tensor& exp_avg, Tensor& exp_avg_sq, const AdamStepParams& p);

// ---- Threads (cpu/threads.cpp) ----
// Threads used by our loops and by OpenBLAS (one shared OpenMP pool).
void set_num_threads(int n);
int get_num_threads();

}  // namespace tensor

namespace tensor {

// ---- Fused GroupNorm (norm.cpp; kernel in cpu/group_norm.cpp) ----
// y = (x - mean) * rstd * weight + bias per (sample, group) of x (N, C, *),
// then silu(y) when `silu` is set: the nn layer's GroupNorm and the
// "silu(norm(x))" of a ResBlock in one pass. Returns y and the (N, G) mean and
// rstd = 1/sqrt(var + eps) (biased var) that the backward needs.
struct GroupNormOutput {
  Tensor out, mean, rstd;
};
GroupNormOutput group_norm(const Tensor& x, int64_t groups, const Tensor& weight, const Tensor& bias, double eps,
                           bool silu = false);
// Gradients with respect to x, weight and bias (the last two undefined when weight/bias are).
struct GroupNormGrads {
  Tensor x, weight, bias;
};
GroupNormGrads group_norm_backward(const Tensor& grad_out, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                                   const Tensor& weight, const Tensor& bias, int64_t groups, bool silu);

}  // namespace tensor
