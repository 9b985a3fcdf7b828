// CUDA elementwise ops, host side: Tensors to views, then elementwise.cu.
#include "tensor/cuda/elementwise.h"

#include "tensor/cuda/kernels.h"
#include "tensor/cuda/view.h"

namespace tensor::cuda {

void unary(UnaryOp op, const Tensor& out, const Tensor& in, double p0, double p1) {
  if (out.numel() == 0) return;
  launch_unary(op, scalar_type_of(out.dtype()), view_of(out, "unary"), view_of(in, "unary"), p0, p1, out.numel());
}

void binary(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b) {
  if (out.numel() == 0) return;
  launch_binary(op, scalar_type_of(out.dtype()), view_of(out, "binary"), view_of(a, "binary"), view_of(b, "binary"),
                out.numel());
}

void where(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  if (out.numel() == 0) return;
  launch_where(scalar_type_of(out.dtype()), view_of(out, "where"), view_of(cond, "where"), view_of(a, "where"),
               view_of(b, "where"), out.numel());
}

}  // namespace tensor::cuda
