// CPU reductions (sum, max, min over any set of dims) and softmax over the
// last dim. Sums of float32 accumulate in double: a 4M-element sum in float
// loses about 3 digits otherwise. A long reduction is cut into fixed blocks
// of kReduceBlock elements whose partial results are merged in block order,
// so its bits do not depend on the threads (Note [Same bits for any thread
// count] in parallel.h).
#include <cmath>
#include <limits>
#include <vector>

#include "tensor/cpu/kernels.h"
#include "tensor/cpu/parallel.h"
#include "tensor/cpu/vec_math.h"

namespace tensor::cpu {
namespace {

// A dims/strides pair with adjacent dims merged where memory allows.
struct Dims {
  std::vector<int64_t> shape, strides;
  int64_t numel() const {
    int64_t n = 1;
    for (int64_t s : shape) n *= s;
    return n;
  }
  void push(int64_t size, int64_t stride) {
    if (size == 1) return;
    if (!shape.empty() && strides.back() == stride * size) {
      shape.back() *= size;
      strides.back() = stride;
    } else {
      shape.push_back(size);
      strides.push_back(stride);
    }
  }
  // Element offset of linear index i (row-major over shape).
  int64_t offset(int64_t i) const {
    int64_t off = 0;
    for (size_t d = shape.size(); d-- > 0;) {
      off += (i % shape[d]) * strides[d];
      i /= shape[d];
    }
    return off;
  }
};

template <typename T, typename Acc>
struct SumOp {
  static Acc init() { return Acc(0); }
  static Acc combine(Acc a, T x) { return a + static_cast<Acc>(x); }
  static Acc merge(Acc a, Acc b) { return a + b; }
};
template <typename T, typename Acc>
struct MaxOp {
  static Acc init() { return -std::numeric_limits<Acc>::infinity(); }
  // NaN propagates, as in PyTorch: a NaN anywhere gives NaN.
  static Acc combine(Acc a, T x) { return (x > a || std::isnan(x)) ? x : a; }
  static Acc merge(Acc a, Acc b) { return combine(a, b); }
};
template <typename T, typename Acc>
struct MinOp {
  static Acc init() { return std::numeric_limits<Acc>::infinity(); }
  static Acc combine(Acc a, T x) { return (x < a || std::isnan(x)) ? x : a; }
  static Acc merge(Acc a, Acc b) { return combine(a, b); }
};

// Reduces the elements [lo, hi) (linear over red) starting at base.
template <typename T, typename Acc, typename Op>
Acc reduce_range(const T* base, const Dims& red, int64_t lo, int64_t hi) {
  Acc acc = Op::init();
  const int64_t inner = red.shape.back(), step = red.strides.back();
  int64_t i = lo;
  while (i < hi) {
    const int64_t j = i % inner, n = std::min(inner - j, hi - i);
    const T* p = base + red.offset(i);
    if (step == 1) {
      // Eight independent partial results: one running sum is a chain of
      // dependent adds (about 4 cycles each); eight chains keep the FPU busy
      // and let the compiler use SIMD. About 4x faster for a float32 sum.
      constexpr int kLanes = 8;
      Acc lanes[kLanes];
      for (Acc& lane : lanes) lane = Op::init();
      int64_t k = 0;
      for (; k + kLanes <= n; k += kLanes)
        for (int l = 0; l < kLanes; ++l) lanes[l] = Op::combine(lanes[l], p[k + l]);
      for (; k < n; ++k) lanes[0] = Op::combine(lanes[0], p[k]);
      for (Acc lane : lanes) acc = Op::merge(acc, lane);
    } else {
      for (int64_t k = 0; k < n; ++k) acc = Op::combine(acc, p[k * step]);
    }
    i += n;
  }
  return acc;
}

// The blocks of a long reduction: fixed, whatever the thread count.
constexpr int64_t kReduceBlock = kDefaultGrain;

// Block b of the n_red elements at base.
template <typename T, typename Acc, typename Op>
Acc reduce_block(const T* base, const Dims& red, int64_t n_red, int64_t b) {
  return reduce_range<T, Acc, Op>(base, red, b * kReduceBlock, std::min(n_red, (b + 1) * kReduceBlock));
}

// Short reductions, many outputs: the 2x2 blocks that
// upsample_nearest2d_backward sums, a mean over a few channels. Dividing each
// output's index into offsets (Dims::offset) cost more than its few additions,
// so the reduced elements' offsets are listed once, each output adds them in
// that order, and the kept index advances digit by digit (an odometer).
constexpr int64_t kShortReduction = 64;

template <typename T, typename Acc, typename Op>
void reduce_short(T* out, const T* base, const Dims& kept, const Dims& red, int64_t n_out) {
  const int64_t n_red = red.numel();
  std::vector<int64_t> red_offsets(n_red);
  for (int64_t r = 0; r < n_red; ++r) red_offsets[r] = red.offset(r);
  const int64_t dims = static_cast<int64_t>(kept.shape.size());
  parallel_for(0, n_out, std::max<int64_t>(1, kDefaultGrain / std::max<int64_t>(n_red, 1)),
               [&](int64_t lo, int64_t hi) {
                 std::vector<int64_t> digit(dims);  // output lo's index along each kept dim
                 for (int64_t d = dims - 1, rest = lo; d >= 0; --d) {
                   digit[d] = rest % kept.shape[d];
                   rest /= kept.shape[d];
                 }
                 int64_t offset = kept.offset(lo);
                 for (int64_t i = lo; i < hi; ++i) {
                   const T* p = base + offset;
                   Acc acc = Op::init();
                   for (int64_t r = 0; r < n_red; ++r) acc = Op::combine(acc, p[red_offsets[r]]);
                   out[i] = static_cast<T>(acc);
                   for (int64_t d = dims - 1; d >= 0; --d) {  // next output
                     offset += kept.strides[d];
                     if (++digit[d] < kept.shape[d]) break;
                     offset -= kept.shape[d] * kept.strides[d];
                     digit[d] = 0;
                   }
                 }
               });
}

// Reductions over outer dims, such as a Linear bias gradient: the sum over
// the batch of a (B, F) gradient. Each output's elements lie F apart, so
// reducing one output at a time reads memory with a stride and adds one
// element per step. When the innermost kept dim is contiguous, a task takes
// kColumns neighbouring outputs instead and adds whole rows, which
// vectorizes. Every output still adds its elements in the same order, one
// chain per block of kReduceBlock, the blocks merged in order, as
// reduce_range and reduce_block do: the same bits as one output at a time.
constexpr int64_t kColumns = 64;

template <typename T, typename Acc, typename Op>
void reduce_columns(T* out, const T* base, const Dims& kept, const Dims& red, int64_t n_out) {
  const int64_t n_red = red.numel(), run = kept.shape.back();
  const int64_t chunks = (run + kColumns - 1) / kColumns, tasks = n_out / run * chunks;
  const int64_t blocks = (n_red + kReduceBlock - 1) / kReduceBlock;
  parallel_for(0, tasks, std::max<int64_t>(1, kDefaultGrain / (n_red * kColumns)), [&](int64_t lo, int64_t hi) {
    for (int64_t task = lo; task < hi; ++task) {
      const int64_t first = task / chunks * run + task % chunks * kColumns;  // the task's first output
      const int64_t width = std::min(kColumns, run - task % chunks * kColumns);
      const T* row0 = base + kept.offset(first);
      Acc acc[kColumns], part[kColumns];
      for (int64_t j = 0; j < width; ++j) acc[j] = Op::init();
      for (int64_t b = 0; b < blocks; ++b) {
        for (int64_t j = 0; j < width; ++j) part[j] = Op::init();
        for (int64_t r = b * kReduceBlock; r < std::min(n_red, (b + 1) * kReduceBlock); ++r) {
          const T* row = row0 + red.offset(r);
#pragma omp simd
          for (int64_t j = 0; j < width; ++j) part[j] = Op::combine(part[j], row[j]);
        }
        for (int64_t j = 0; j < width; ++j) acc[j] = Op::merge(acc[j], part[j]);
      }
      for (int64_t j = 0; j < width; ++j) out[first + j] = static_cast<T>(acc[j]);
    }
  });
}

template <typename T, typename Acc, typename Op>
void reduce_typed(const Tensor& out, const Tensor& in, const std::vector<bool>& reduced) {
  Dims kept, red;
  for (int64_t d = 0; d < in.dim(); ++d) (reduced[d] ? red : kept).push(in.shape()[d], in.strides()[d]);
  if (red.shape.empty()) red.push(1, 1), red.shape = {1}, red.strides = {1};
  const T* base = in.data<T>();
  T* o = out.data<T>();
  const int64_t n_out = out.numel(), n_red = red.numel();
  const int64_t blocks = (n_red + kReduceBlock - 1) / kReduceBlock;
  if (n_red <= kShortReduction) {
    reduce_short<T, Acc, Op>(o, base, kept, red, n_out);
    return;
  }
  if (!kept.shape.empty() && kept.strides.back() == 1 && red.strides.back() != 1) {
    reduce_columns<T, Acc, Op>(o, base, kept, red, n_out);
    return;
  }
  if (n_out >= pool_threads() || blocks <= 1) {
    // Many outputs: each thread takes a range of them and reduces them block by block.
    parallel_for(0, n_out, std::max<int64_t>(1, kDefaultGrain / std::max<int64_t>(n_red, 1)),
                 [&](int64_t lo, int64_t hi) {
                   for (int64_t i = lo; i < hi; ++i) {
                     Acc acc = Op::init();
                     for (int64_t b = 0; b < blocks; ++b)
                       acc = Op::merge(acc, reduce_block<T, Acc, Op>(base + kept.offset(i), red, n_red, b));
                     o[i] = static_cast<T>(acc);
                   }
                 });
    return;
  }
  // Few outputs, long reductions: the threads share out each one's blocks;
  // the partials are merged in block order, as above.
  std::vector<Acc> partial(blocks);
  for (int64_t i = 0; i < n_out; ++i) {
    const T* b_in = base + kept.offset(i);
    parallel_for(0, blocks, 1, [&](int64_t lo, int64_t hi) {
      for (int64_t b = lo; b < hi; ++b) partial[b] = reduce_block<T, Acc, Op>(b_in, red, n_red, b);
    });
    Acc acc = Op::init();
    for (Acc p : partial) acc = Op::merge(acc, p);
    o[i] = static_cast<T>(acc);
  }
}

}  // namespace

void reduce(ReduceOp op, const Tensor& out, const Tensor& in, const std::vector<bool>& reduced) {
  dispatch_float(in.dtype(), "reduce", [&](auto tag) {
    using T = typename decltype(tag)::type;
    switch (op) {
      case ReduceOp::Sum:
        return reduce_typed<T, double, SumOp<T, double>>(out, in, reduced);
      case ReduceOp::Max:
        return reduce_typed<T, T, MaxOp<T, T>>(out, in, reduced);
      case ReduceOp::Min:
        return reduce_typed<T, T, MinOp<T, T>>(out, in, reduced);
    }
  });
}

void softmax_lastdim(const Tensor& out, const Tensor& in, bool log) {
  dispatch_float(in.dtype(), "softmax", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const int64_t cols = in.shape().empty() ? 1 : in.shape().back();
    const int64_t rows = cols == 0 ? 0 : in.numel() / cols;
    const T* x = in.data<T>();
    T* y = out.data<T>();
    parallel_for(0, rows, std::max<int64_t>(1, kDefaultGrain / std::max<int64_t>(cols, 1)),
                 [&](int64_t lo, int64_t hi) {
                   for (int64_t r = lo; r < hi; ++r) {
                     const T* xr = x + r * cols;
                     T* yr = y + r * cols;
                     // Subtract the row max first so exp never overflows.
                     T m = -std::numeric_limits<T>::infinity();
                     for (int64_t c = 0; c < cols; ++c) m = std::max(m, xr[c]);
                     double sum = 0;
                     for (int64_t c = 0; c < cols; ++c) {
                       yr[c] = exp_t(xr[c] - m);
                       sum += yr[c];
                     }
                     if (log) {
                       const T log_sum = static_cast<T>(std::log(sum));
                       for (int64_t c = 0; c < cols; ++c) yr[c] = xr[c] - m - log_sum;
                     } else {
                       const T inv = static_cast<T>(1.0 / sum);
                       for (int64_t c = 0; c < cols; ++c) yr[c] *= inv;
                     }
                   }
                 });
  });
}

}  // namespace tensor::cpu
