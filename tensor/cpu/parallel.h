// The parallel helpers of the CPU kernels: parallel_for (a loop split over the
// threads, for work whose every output is computed on its own) and
// parallel_tasks (fixed pieces of work, for anything that sums or calls BLAS).
// Both run on the backend's thread pool (thread_pool.h). The two notes below
// say how threads are shared and why a result never depends on how many
// there are.
//
// Note [Threads]: set_num_threads(n) sizes our pool; OpenBLAS is held at one
// thread (thread_pool.cpp), and every GEMM runs inside a pool task, so a GEMM
// and an elementwise loop never oversubscribe the cores and no BLAS thread
// ever waits for ours or ours for it. A loop started inside a task runs
// inline. Work too small to repay waking a thread (below a grain of
// elements, or a single task) runs on the calling thread.
//
// Note [Same bits for any thread count]: a kernel's result is a function of
// its inputs alone, never of the thread count, so a training run or a sampler
// gives the same bits with --threads 1 as with 16. Elementwise loops get this
// for free: each output is computed on its own, whichever thread computes it.
// Everything that sums (reductions, GEMMs, the conv weight gradient,
// GroupNorm's statistics and its weight/bias gradients) keeps three rules:
//  1. The work is cut into pieces whose bounds follow from the problem's
//     shape alone: blocks of kReduceBlock elements, fixed GEMM tiles (blas.h),
//     one image or a fixed group of images (conv.cpp), one (sample, group).
//     Never one piece per thread: the thread count only decides who
//     computes which piece.
//  2. Each piece adds its terms in a fixed order, and each output merges
//     the pieces' partial results in piece order.
//  3. Every BLAS call runs single-threaded (OpenBLAS is held at one thread)
//     and has a shape that follows from the problem. OpenBLAS's threaded sgemm
//     cuts K into blocks differently from its one-thread path (OpenBLAS
//     0.3.21: for K between one and two blocks, e.g. K = 700, most elements
//     of the product differ between 1 and 2 threads). So we split GEMMs over
//     threads ourselves, in tiles that do not depend on the thread count.
// tests/tensor/threads_test.cpp checks each kernel with 1, 2 and 3 threads,
// tests/nn/threads_test.cpp a few AdamW steps of the reference U-Net.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "tensor/cpu/thread_pool.h"

namespace tensor::cpu {

constexpr int64_t kDefaultGrain = 32768;

// Splits [begin, end) into chunks of at least `grain` elements and calls
// f(lo, hi) on each, spread over the threads. Below `grain` elements the loop
// runs on the calling thread: waking a thread costs more than it saves on
// small tensors. There are up to four chunks per thread, so a thread that
// starts late leaves less work behind. The chunk bounds depend on the thread
// count, so f must compute each index on its own (no sums across indices;
// Note [Same bits for any thread count]).
template <typename F>
void parallel_for(int64_t begin, int64_t end, int64_t grain, F&& f) {
  const int64_t n = end - begin;
  if (n <= 0) return;
  const int threads = in_pool_task() ? 1 : pool_threads();
  const int64_t chunks = std::min<int64_t>(int64_t(4) * threads, (n + grain - 1) / std::max<int64_t>(grain, 1));
  if (threads == 1 || chunks <= 1) {
    f(begin, end);
    return;
  }
  run_pool_tasks(chunks, [&](int64_t c) { f(begin + n * c / chunks, begin + n * (c + 1) / chunks); });
}

// Calls task(i, scratch) for every task i in [0, n), spread over the threads;
// scratch points to scratch_size elements of type T owned by the running
// thread for the call (reused from task to task, contents left from the
// previous task). Each thread keeps its scratch between calls, so the steady
// state of a training step allocates none.
template <typename T = char, typename F>
void parallel_tasks(int64_t n, F&& task, int64_t scratch_size = 0) {
  if (n <= 0) return;
  if (scratch_size == 0) {
    run_pool_tasks(n, [&](int64_t i) { task(i, static_cast<T*>(nullptr)); });
    return;
  }
  run_pool_tasks(n, [&](int64_t i) {
    // One buffer per thread and type; a nested call (which runs inline, see
    // thread_pool.h) takes its own, so it cannot overwrite its caller's.
    thread_local std::vector<T> kept;
    thread_local bool kept_in_use = false;
    std::vector<T> nested;
    std::vector<T>& scratch = kept_in_use ? nested : kept;
    if (scratch.size() < static_cast<size_t>(scratch_size)) scratch.resize(scratch_size);
    const bool was_in_use = kept_in_use;
    kept_in_use = true;
    struct Release {
      bool& flag;
      bool value;
      ~Release() { flag = value; }
    } release{kept_in_use, was_in_use};
    task(i, scratch.data());
  });
}

// out[i] = parts[0][i] + parts[1][i] + ... + parts[count - 1][i] for i in
// [0, size), the parts (count x size, one after another) added in part order:
// rule 2 above, for the partial sums of fixed pieces (conv.cpp's and
// conv_winograd.cpp's weight gradients). Each element is summed on its own,
// so the elements are split over the threads. No parts: zeros.
template <typename T>
void add_parts_in_order(const T* parts, int64_t count, int64_t size, T* out) {
  if (count == 0) {
    std::fill(out, out + size, T(0));
    return;
  }
  parallel_for(0, size, kDefaultGrain, [&](int64_t lo, int64_t hi) {
    std::copy(parts + lo, parts + hi, out + lo);
    for (int64_t part = 1; part < count; ++part)
      for (int64_t i = lo; i < hi; ++i) out[i] += parts[part * size + i];
  });
}

}  // namespace tensor::cpu
