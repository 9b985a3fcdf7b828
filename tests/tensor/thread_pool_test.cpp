// The CPU thread pool (tensor/cpu/thread_pool.h) and the parallel helpers on
// top of it (tensor/cpu/parallel.h): every task runs exactly once whatever
// the thread count, a loop inside a task runs inline, a task's exception
// reaches the caller, nested scratch buffers do not overlap, two threads may
// start jobs at once, and OpenBLAS stays at one thread.
#include "tensor/cpu/thread_pool.h"

#include <cblas.h>
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tensor/cpu/parallel.h"
#include "tensor/ops.h"

using namespace tensor;

namespace {

// Runs f with 1, 2, 3 and 8 threads, then restores the thread count.
template <typename F>
void for_thread_counts(F f) {
  const int saved = get_num_threads();
  for (int threads : {1, 2, 3, 8}) {
    set_num_threads(threads);
    SCOPED_TRACE(testing::Message() << threads << " threads");
    f(threads);
  }
  set_num_threads(saved);
}

TEST(ThreadPool, EveryTaskRunsOnce) {
  for_thread_counts([](int threads) {
    EXPECT_EQ(get_num_threads(), threads);
    for (int64_t n : {1, 2, 7, 1000}) {
      std::vector<std::atomic<int>> runs(n);
      cpu::run_pool_tasks(n, [&](int64_t i) { runs[i].fetch_add(1); });
      for (int64_t i = 0; i < n; ++i) ASSERT_EQ(runs[i].load(), 1) << "task " << i << " of " << n;
    }
  });
}

TEST(ThreadPool, ParallelForCoversTheRangeOnce) {
  for_thread_counts([](int) {
    std::vector<int> hits(100003, 0);
    cpu::parallel_for(3, 100003, 1000, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) ++hits[i];
    });
    for (int64_t i = 0; i < 100003; ++i) ASSERT_EQ(hits[i], i < 3 ? 0 : 1) << "index " << i;
  });
}

TEST(ThreadPool, LoopInsideATaskRunsInline) {
  for_thread_counts([](int) {
    std::atomic<int> inner_tasks{0}, not_in_task{0};
    cpu::run_pool_tasks(8, [&](int64_t) {
      if (!cpu::in_pool_task()) not_in_task.fetch_add(1);
      const std::thread::id outer = std::this_thread::get_id();
      cpu::run_pool_tasks(5, [&](int64_t) {
        EXPECT_EQ(std::this_thread::get_id(), outer);
        inner_tasks.fetch_add(1);
      });
    });
    EXPECT_EQ(not_in_task.load(), 0);
    EXPECT_EQ(inner_tasks.load(), 40);
    EXPECT_FALSE(cpu::in_pool_task());
  });
}

TEST(ThreadPool, TaskExceptionReachesTheCaller) {
  for_thread_counts([](int) {
    EXPECT_THROW(cpu::run_pool_tasks(50,
                                     [](int64_t i) {
                                       if (i == 17) throw std::runtime_error("task 17");
                                     }),
                 std::runtime_error);
    // The pool still works afterwards.
    std::atomic<int> runs{0};
    cpu::run_pool_tasks(10, [&](int64_t) { runs.fetch_add(1); });
    EXPECT_EQ(runs.load(), 10);
  });
}

TEST(ThreadPool, NestedScratchIsSeparate) {
  for_thread_counts([](int) {
    std::atomic<int> damaged{0};
    cpu::parallel_tasks<int>(
        6,
        [&](int64_t i, int* outer) {
          for (int k = 0; k < 64; ++k) outer[k] = static_cast<int>(i);
          // The same call site, nested: must not hand back the buffer in use.
          cpu::parallel_tasks<int>(
              1, [&](int64_t, int* inner) { EXPECT_NE(inner, outer); }, 64);
          for (int k = 0; k < 64; ++k)
            if (outer[k] != static_cast<int>(i)) damaged.fetch_add(1);
        },
        64);
    EXPECT_EQ(damaged.load(), 0);
  });
}

TEST(ThreadPool, TwoCallersAtOnce) {
  const int saved = get_num_threads();
  set_num_threads(3);
  std::vector<std::atomic<int>> runs_a(5000), runs_b(5000);
  std::thread other([&] {
    for (int rep = 0; rep < 20; ++rep) cpu::run_pool_tasks(250, [&](int64_t i) { runs_a[rep * 250 + i] += 1; });
  });
  for (int rep = 0; rep < 20; ++rep) cpu::run_pool_tasks(250, [&](int64_t i) { runs_b[rep * 250 + i] += 1; });
  other.join();
  for (int i = 0; i < 5000; ++i) {
    ASSERT_EQ(runs_a[i].load(), 1) << i;
    ASSERT_EQ(runs_b[i].load(), 1) << i;
  }
  set_num_threads(saved);
}

// Rule 3 of Note [Same bits for any thread count]: our GEMMs must run on one
// BLAS thread whatever set_num_threads says, also when called on a pool
// worker or a thread of the program's own (OpenBLAS's OpenMP build takes the
// calling thread's OpenMP thread count, which starts at all the CPUs).
TEST(ThreadPool, OpenBlasStaysSingleThreaded) {
  const int saved = get_num_threads();
  set_num_threads(4);
  EXPECT_EQ(openblas_get_num_threads(), 1);
  const Tensor a = ones({512, 512}), b = ones({512, 512});
  EXPECT_EQ(matmul(a, b).contiguous().data<float>()[0], 512.0f);  // 8 tiles, spread over the workers
  EXPECT_EQ(openblas_get_num_threads(), 1);
  std::thread other([&] { matmul(a, b); });
  other.join();
  EXPECT_EQ(openblas_get_num_threads(), 1);
  set_num_threads(saved);
}

}  // namespace
