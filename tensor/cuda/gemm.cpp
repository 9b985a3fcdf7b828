// CUDA matmul: cuBLAS strided-batched GEMM, reading each operand in place
// whenever one of its two matrix dims has unit stride (a transposed view is a
// transposed operand), like tensor/cpu/gemm.cpp. The batch dims, already
// expanded to out's by the front-end, become cuBLAS's constant batch stride
// where they allow one (a broadcast operand gets stride 0); the dims that do
// not are looped over on the host. Row-major to cuBLAS: Note [Row-major GEMM
// on cuBLAS] in blas.cpp.
#include <cuda_runtime.h>

#include <algorithm>
#include <vector>

#include "tensor/cuda/blas.h"
#include "tensor/cuda/kernels.h"
#include "tensor/cuda/view.h"

namespace tensor::cuda {
namespace {

// How cuBLAS should read a rows x cols matrix with strides (sr, sc): the
// CPU's blas_layout, the same rule with cuBLAS's names.
bool blas_layout(int64_t rows, int64_t cols, int64_t sr, int64_t sc, GemmOperand& operand) {
  if (cols == 1) sc = 1;  // a size-1 dim's stride is arbitrary: pick the convenient one
  if (rows == 1) sr = std::max<int64_t>(cols, 1);
  if (sc == 1 && sr >= std::max<int64_t>(cols, 1)) {
    operand.transposed = false;
    operand.ld = sr;
    return true;
  }
  if (sr == 1 && sc >= std::max<int64_t>(rows, 1)) {
    operand.transposed = true;
    operand.ld = sc;
    return true;
  }
  return false;
}

// Reads t's matrices in place, or a contiguous copy of t when they cannot be.
GemmOperand operand_of(Tensor& t, int64_t rows, int64_t cols) {
  const int64_t nd = t.dim();
  GemmOperand operand{};
  if (!blas_layout(rows, cols, t.strides()[nd - 2], t.strides()[nd - 1], operand)) {
    t = t.contiguous();
    blas_layout(rows, cols, t.strides()[nd - 2], t.strides()[nd - 1], operand);
  }
  return operand;
}

// One batch dim (size > 1) with a's and b's strides along it.
struct BatchDim {
  int64_t size, a_stride, b_stride;
};

}  // namespace

void matmul(const Tensor& out, const Tensor& a_in, const Tensor& b_in, bool accumulate) {
  const int64_t nd = out.dim();
  const int64_t M = out.shape()[nd - 2], N = out.shape()[nd - 1], K = a_in.shape()[nd - 1];
  if (out.numel() == 0) return;
  if (K == 0) {  // an empty sum: out is zeros, or as it was (out is contiguous: the front-end allocated it)
    if (accumulate) return;
    DIFFUSE_CUDA_CHECK(cudaMemsetAsync(out.raw_data(), 0, out.numel() * dtype_size(out.dtype()), stream()), "matmul");
    return;
  }
  Tensor a = a_in, b = b_in;
  GemmOperand ga = operand_of(a, M, K), gb = operand_of(b, K, N);

  // The batch: the innermost run of dims along which both a's and b's
  // offsets grow by one constant step each goes to cuBLAS as one strided
  // batch; the dims outside that run are looped over here.
  std::vector<BatchDim> dims;
  for (int64_t d = 0; d < nd - 2; ++d)
    if (out.shape()[d] > 1) dims.push_back({out.shape()[d], a.strides()[d], b.strides()[d]});
  size_t first = dims.size();
  int64_t run = 1;
  ga.batch_stride = gb.batch_stride = 0;
  if (!dims.empty()) {
    first = dims.size() - 1;
    run = dims.back().size;
    ga.batch_stride = dims.back().a_stride;
    gb.batch_stride = dims.back().b_stride;
    while (first > 0 && dims[first - 1].a_stride == ga.batch_stride * run &&
           dims[first - 1].b_stride == gb.batch_stride * run) {
      --first;
      run *= dims[first].size;
    }
  }
  int64_t outer = 1;
  for (size_t d = 0; d < first; ++d) outer *= dims[d].size;

  const size_t elem = dtype_size(out.dtype());
  const char* pa = static_cast<const char*>(a.raw_data());
  const char* pb = static_cast<const char*>(b.raw_data());
  char* pc = static_cast<char*>(out.raw_data());
  for (int64_t o = 0; o < outer; ++o) {
    int64_t a_off = 0, b_off = 0;  // element offsets of batch entry o * run
    for (int64_t rest = o, d = static_cast<int64_t>(first) - 1; d >= 0; --d) {
      a_off += (rest % dims[d].size) * dims[d].a_stride;
      b_off += (rest % dims[d].size) * dims[d].b_stride;
      rest /= dims[d].size;
    }
    GemmOperand ao = ga, bo = gb;
    ao.data = pa + a_off * elem;
    bo.data = pb + b_off * elem;
    gemm_row_major(scalar_type_of(out.dtype()), M, N, K, ao, bo, accumulate ? 1.0 : 0.0, pc + o * run * M * N * elem, N,
                   M * N, run, "matmul");
  }
}

}  // namespace tensor::cuda
