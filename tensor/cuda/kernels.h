// The CUDA kernels: the same list, with the same signatures, as
// tensor/cpu/kernels.h (Note [Dispatch] in tensor/dispatch.h), so a CUDA
// build fails to compile when one is missing here and to link when one is
// not defined. Each family is a host .cpp (Tensors to StridedViews, or cuBLAS
// calls) and a .cu with the __global__ kernels. A kernel not written yet is
// a stub in todo.cpp that throws "[op] has no CUDA kernel yet".
#pragma once
#include <cstdint>
#include <vector>

#include "tensor/kernel_ops.h"
#include "tensor/tensor.h"

namespace tensor::cuda {

// copy.cpp: out[i] = src[i] with dtype conversion; src may be strided/expanded.
void copy(const Tensor& out, const Tensor& src);
void fill(const Tensor& out, double value);

// elementwise.cpp: all operands have out's shape (inputs possibly expanded).
void unary(UnaryOp op, const Tensor& out, const Tensor& in, double p0, double p1);
void binary(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b);
void where(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b);

// reduce.cpp: out has in's shape with the reduced dims set to 1 (keepdim), contiguous.
void reduce(ReduceOp op, const Tensor& out, const Tensor& in, const std::vector<bool>& reduced);
// softmax over the last dim; in and out contiguous, same shape.
void softmax_lastdim(const Tensor& out, const Tensor& in, bool log);

// gemm.cpp: out (B..., M, N) = a (B..., M, K) @ b (B..., K, N), or out += a @ b
// with accumulate (BLAS's beta = 1); batch dims of a and b already expanded
// to out's; each matrix has unit stride in one of its dims.
void matmul(const Tensor& out, const Tensor& a, const Tensor& b, bool accumulate);

// conv.cpp: 2-D convolution (cross-correlation, like PyTorch), NCHW, no groups.
void conv2d_forward(const Tensor& out, const Tensor& x, const Tensor& w, const Tensor& bias, const Conv2dParams& p);
void conv2d_backward_input(const Tensor& grad_x, const Tensor& grad_out, const Tensor& w, const Conv2dParams& p);
void conv2d_backward_weight(const Tensor& grad_w, const Tensor& grad_out, const Tensor& x, const Conv2dParams& p);

// index.cpp: out = src.index_select(dim, index); and its adjoint out.index_add_(dim, index, src).
void index_select(const Tensor& out, const Tensor& src, int64_t dim, const Tensor& index);
void index_add(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src);

// random.cpp: Philox-based fills (Note [Philox streams] in tensor/philox.h).
void random_fill(const Tensor& out, RandomKind kind, uint64_t seed, uint64_t stream);

// group_norm.cpp: fused GroupNorm, optionally followed by SiLU, over x (N, C, S)
// contiguous; mean and rstd are (N, G); weight/bias (C) may be undefined.
void group_norm_forward(const Tensor& out, const Tensor& mean, const Tensor& rstd, const Tensor& x,
                        const Tensor& weight, const Tensor& bias, int64_t groups, double eps, bool silu);
void group_norm_backward(const Tensor& grad_x, const Tensor& grad_weight, const Tensor& grad_bias,
                         const Tensor& grad_out, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                         const Tensor& weight, const Tensor& bias, int64_t groups, bool silu);

// adam.cpp: one Adam/AdamW step on contiguous param, grad, exp_avg, exp_avg_sq.
void adam_step(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
               const AdamStepParams& p);

}  // namespace tensor::cuda
