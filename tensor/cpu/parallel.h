// The OpenMP helpers of the CPU kernels: parallel_for (a loop split over the
// threads, for work whose every output is computed on its own) and
// parallel_tasks (fixed pieces of work, for anything that sums or calls BLAS).
// The two notes below say how threads are shared and why a result never
// depends on how many there are.
//
// Note [Threads]: our loops and OpenBLAS (its OpenMP build) share one OpenMP
// pool, so a GEMM and an elementwise loop never oversubscribe the cores; a
// GEMM called inside a parallel region runs single-threaded (OpenBLAS checks
// omp_in_parallel()). One called outside with n threads allowed may use n;
// our kernels never do that (rule 3 below).
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
//  3. Every BLAS call runs single-threaded (parallel_tasks makes sure of it)
//     and has a shape that follows from the problem. OpenBLAS's threaded sgemm
//     cuts K into blocks differently from its one-thread path (OpenBLAS
//     0.3.21: for K between one and two blocks, e.g. K = 700, most elements
//     of the product differ between 1 and 2 threads). So we split GEMMs over
//     threads ourselves, in tiles that do not depend on the thread count.
// tests/tensor/threads_test.cpp checks each kernel with 1, 2 and 3 threads,
// tests/nn/threads_test.cpp a few AdamW steps of the reference U-Net.
#pragma once
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace tensor::cpu {

constexpr int64_t kDefaultGrain = 32768;

// Splits [begin, end) into chunks over the threads and calls f(lo, hi) on
// each. Below `grain` elements the loop runs on the calling thread: starting
// threads costs more than it saves on small tensors. The chunk bounds depend
// on the thread count, so f must compute each index on its own (no sums
// across indices; Note [Same bits for any thread count]).
template <typename F>
void parallel_for(int64_t begin, int64_t end, int64_t grain, F&& f) {
  const int64_t n = end - begin;
  if (n <= 0) return;
  const int max_threads = omp_in_parallel() ? 1 : omp_get_max_threads();
  const int64_t chunks = std::min<int64_t>(max_threads, (n + grain - 1) / grain);
  if (chunks <= 1) {
    f(begin, end);
    return;
  }
#pragma omp parallel for num_threads(chunks) schedule(static, 1)
  for (int64_t c = 0; c < chunks; ++c) {
    const int64_t lo = begin + n * c / chunks, hi = begin + n * (c + 1) / chunks;
    f(lo, hi);
  }
}

// Calls task(i, scratch) for every task i in [0, n), spread over the threads;
// scratch points to scratch_size elements of type T owned by the running
// thread (reused from task to task). With more than one thread allowed, the
// tasks run inside a parallel region even when n is 1, so a BLAS call in a
// task runs single-threaded (rule 3 of Note [Same bits for any thread count]).
template <typename T = char, typename F>
void parallel_tasks(int64_t n, F&& task, int64_t scratch_size = 0) {
  if (n <= 0) return;
  const int max_threads = omp_in_parallel() ? 1 : omp_get_max_threads();
  if (max_threads == 1) {
    std::vector<T> scratch(scratch_size);
    for (int64_t i = 0; i < n; ++i) task(i, scratch.data());
    return;
  }
  const int team = static_cast<int>(std::clamp<int64_t>(n, 2, max_threads));
#pragma omp parallel num_threads(team)
  {
    std::vector<T> scratch(scratch_size);
#pragma omp for schedule(dynamic, 1)
    for (int64_t i = 0; i < n; ++i) task(i, scratch.data());
  }
}

}  // namespace tensor::cpu
