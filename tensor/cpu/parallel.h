// parallel_for: splits [begin, end) into chunks over the OpenMP threads.
// Below `grain` elements the loop runs on the calling thread: starting
// threads costs more than it saves on small tensors. Note [Threads]: our
// loops and OpenBLAS (its OpenMP build) share one OpenMP pool, so a GEMM
// and an elementwise loop never oversubscribe the cores; a GEMM called
// inside a parallel region runs single-threaded.
#pragma once
#include <omp.h>

#include <algorithm>
#include <cstdint>

namespace tensor::cpu {

constexpr int64_t kDefaultGrain = 32768;

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

}  // namespace tensor::cpu
