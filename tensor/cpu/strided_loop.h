// strided_loop: visits every element of N same-shaped operands (the output
// first), each with its own strides, calling
//   inner(ptrs, n, steps)
// on runs of n elements along the innermost dim, where ptrs[k] is operand
// k's first element of the run and steps[k] its stride in bytes. Kernels
// write the inner loop twice: once for steps == element size (contiguous,
// which the compiler vectorizes) and once in general.
// Before iterating, size-1 dims are dropped and adjacent dims that are
// contiguous for every operand are merged, so a contiguous tensor of any
// shape becomes one long run.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "tensor/cpu/parallel.h"
#include "tensor/tensor.h"

namespace tensor::cpu {

template <size_t N>
struct StridedLayout {
  std::vector<int64_t> shape;                     // coalesced, outermost first
  std::array<std::vector<int64_t>, N> strides;  // in bytes
  std::array<char*, N> base;
};

template <size_t N>
StridedLayout<N> make_layout(const std::array<const Tensor*, N>& ops) {
  StridedLayout<N> L;
  const Shape& shape = ops[0]->shape();
  for (size_t k = 0; k < N; ++k) L.base[k] = static_cast<char*>(ops[k]->raw_data());
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    bool merge = !L.shape.empty();
    for (size_t k = 0; k < N && merge; ++k) {
      const int64_t s = ops[k]->strides()[d] * static_cast<int64_t>(dtype_size(ops[k]->dtype()));
      merge = L.strides[k].back() == s * shape[d];
    }
    if (merge) {
      L.shape.back() *= shape[d];
      for (size_t k = 0; k < N; ++k)
        L.strides[k].back() = ops[k]->strides()[d] * static_cast<int64_t>(dtype_size(ops[k]->dtype()));
    } else {
      L.shape.push_back(shape[d]);
      for (size_t k = 0; k < N; ++k)
        L.strides[k].push_back(ops[k]->strides()[d] * static_cast<int64_t>(dtype_size(ops[k]->dtype())));
    }
  }
  if (L.shape.empty()) {  // a scalar, or all dims of size 1
    L.shape.push_back(1);
    for (size_t k = 0; k < N; ++k) L.strides[k].push_back(0);
  }
  return L;
}

template <size_t N, typename Inner>
void strided_loop(const std::array<const Tensor*, N>& ops, Inner&& inner, int64_t grain = kDefaultGrain) {
  const StridedLayout<N> L = make_layout(ops);
  const int64_t ndim = static_cast<int64_t>(L.shape.size());
  const int64_t inner_size = L.shape.back();
  int64_t total = 1;
  for (int64_t s : L.shape) total *= s;
  std::array<int64_t, N> steps;
  for (size_t k = 0; k < N; ++k) steps[k] = L.strides[k].back();

  parallel_for(0, total, grain, [&](int64_t lo, int64_t hi) {
    // Multi-index of element lo, and the operand pointers there.
    std::vector<int64_t> idx(ndim);
    int64_t rem = lo;
    for (int64_t d = ndim - 1; d >= 0; --d) {
      idx[d] = rem % L.shape[d];
      rem /= L.shape[d];
    }
    std::array<char*, N> ptrs;
    for (size_t k = 0; k < N; ++k) {
      ptrs[k] = L.base[k];
      for (int64_t d = 0; d < ndim; ++d) ptrs[k] += idx[d] * L.strides[k][d];
    }
    int64_t pos = lo;
    while (pos < hi) {
      const int64_t n = std::min(inner_size - idx[ndim - 1], hi - pos);
      inner(ptrs, n, steps);
      pos += n;
      // Advance the multi-index by n (the run ended at the inner dim's end or at hi).
      idx[ndim - 1] += n;
      for (size_t k = 0; k < N; ++k) ptrs[k] += n * steps[k];
      for (int64_t d = ndim - 1; d > 0 && idx[d] == L.shape[d]; --d) {
        idx[d] = 0;
        ++idx[d - 1];
        for (size_t k = 0; k < N; ++k) ptrs[k] += L.strides[k][d - 1] - L.shape[d] * L.strides[k][d];
      }
    }
  });
}

}  // namespace tensor::cpu
