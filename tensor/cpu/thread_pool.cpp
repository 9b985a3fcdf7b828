// The CPU thread pool (thread_pool.h): workers that spin briefly, then sleep,
// between jobs, and a job protocol in which the calling thread never waits
// for a worker that has not started a task.
#include "tensor/cpu/thread_pool.h"

#include <cblas.h>
#include <omp.h>

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace tensor::cpu {
namespace {

// Note [Waiting threads]: between two parallel loops a worker has nothing to
// do. OpenMP's workers (libgomp, its default policy) spin for a long while
// before they sleep, and on a machine whose cores are shared, or a VM whose
// virtual CPUs are, the spinning takes the core from the thread that has the
// work: perf on an MLP2D train step at 2 threads on the 2-core development
// machine under load found 85 % of the samples in libgomp's wait loops, and
// the step ran 10 to 15 times slower than at 1 thread. Our workers spin for
// kSpin (long enough to catch the next loop of an op chain, short enough to
// cost little when none comes), then sleep on a condition variable.
// A job's tasks are claimed one at a time from a shared counter, so the
// caller runs every task that no worker has claimed: a worker that the OS
// has not scheduled yet delays nothing, it finds the job done when it wakes.
// With more threads than the process has CPUs (--threads 16 on two cores, or
// OMP_NUM_THREADS set for a bigger machine), spinning is what costs: a
// spinning worker takes the CPU from the threads with work, and waking every
// worker for every loop fills the run queue. Then the workers sleep at once,
// the caller yields instead of spinning, and a job wakes at most one worker
// per other CPU: the pool keeps the threads asked for (results do not depend
// on their number anyway), but no more of them work at once than there are
// CPUs. On the 2-core development machine, 16 threads made a U-Net train
// step 1.18-1.22 times and an MLP2D step 1.6-1.7 times as long as 2 threads
// before; 1.02-1.06 and 1.08 since (docs/benchmarks.md).
constexpr auto kSpin = std::chrono::microseconds(50);

// The CPUs this process may run on (its affinity mask), at least 1.
int available_cpus() {
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
#endif
  return std::max(1u, std::thread::hardware_concurrency());
}

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

thread_local bool t_in_task = false;

class Pool {
 public:
  Pool() {
    // OMP_NUM_THREADS, or the CPUs this process may run on, as before the pool.
    const int initial = omp_get_max_threads();
    // Every BLAS call of ours runs single-threaded (rule 3 of Note [Same bits
    // for any thread count]): OpenBLAS's OpenMP build returns early for any
    // call while its thread count is 1, whatever thread calls it.
    openblas_set_num_threads(1);
    resize(initial);
  }
  ~Pool() { resize(1); }

  int size() const { return size_.load(); }

  void resize(int n) {
    std::lock_guard<std::mutex> job_lock(job_mutex_);  // no job runs while workers come and go
    if (n == size_.load()) return;
    {
      std::lock_guard<std::mutex> lock(sleep_mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : workers_) t.join();
    workers_.clear();
    stop_ = false;
    size_.store(n);
    const int cpus = available_cpus();
    oversubscribed_ = n > cpus;
    helpers_ = oversubscribed_ ? cpus - 1 : n - 1;
    for (int i = 1; i < n; ++i) workers_.emplace_back([this] { worker_loop(); });
  }

  void run(int64_t n, PoolTask fn, const void* ctx) {
    // Inline: one task, a loop inside a task, another thread's job in progress, or one thread.
    std::unique_lock<std::mutex> job_lock(job_mutex_, std::defer_lock);
    if (n == 1 || t_in_task || !job_lock.try_lock() || workers_.empty()) {
      run_inline(n, fn, ctx);
      return;
    }
    fn_ = fn;
    ctx_ = ctx;
    n_ = n;
    error_ = nullptr;
    next_.store(0);
    open_.store(true);
    generation_.fetch_add(1);
    // Wake as many sleepers as there are tasks beyond the caller's first
    // (oversubscribed: as there are other CPUs).
    const int64_t wanted = std::min<int64_t>(n - 1, helpers_);
    if (sleepers_.load() > 0) {
      std::lock_guard<std::mutex> lock(sleep_mutex_);
      for (int64_t i = 0; i < wanted; ++i) wake_.notify_one();
    }
    claim_tasks();
    open_.store(false);
    // Workers that joined finish their task; those that join from now on see the job closed.
    for (int spins = 0; busy_.load() != 0; ++spins) {
      if (spins < 1000 && !oversubscribed_)
        cpu_relax();
      else
        std::this_thread::yield();
    }
    if (error_) std::rethrow_exception(error_);
  }

 private:
  static void run_inline(int64_t n, PoolTask fn, const void* ctx) {
    const bool outer = t_in_task;
    t_in_task = true;
    try {
      for (int64_t i = 0; i < n; ++i) fn(ctx, i);
    } catch (...) {
      t_in_task = outer;
      throw;
    }
    t_in_task = outer;
  }

  void claim_tasks() {
    t_in_task = true;
    for (int64_t i = next_.fetch_add(1); i < n_; i = next_.fetch_add(1)) {
      try {
        fn_(ctx_, i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex_);
        if (!error_) error_ = std::current_exception();
      }
    }
    t_in_task = false;
  }

  void worker_loop() {
    uint64_t seen = generation_.load();
    for (;;) {
      const auto start = std::chrono::steady_clock::now();
      for (int spins = 1; generation_.load() == seen && !oversubscribed_; ++spins) {
        cpu_relax();
        if (spins % 64 == 0 && std::chrono::steady_clock::now() - start > kSpin) break;
      }
      if (generation_.load() == seen) {
        std::unique_lock<std::mutex> lock(sleep_mutex_);
        sleepers_.fetch_add(1);
        wake_.wait(lock, [&] { return generation_.load() != seen || stop_; });
        sleepers_.fetch_sub(1);
      }
      {
        std::lock_guard<std::mutex> lock(sleep_mutex_);
        if (stop_) return;
      }
      seen = generation_.load();
      // Join the job only while it is open: busy_ keeps the caller from
      // returning (and the job's fn_, ctx_, n_ from changing) until we leave.
      busy_.fetch_add(1);
      if (open_.load()) claim_tasks();
      busy_.fetch_sub(1);
    }
  }

  std::atomic<int> size_{1};
  bool oversubscribed_ = false;  // more threads than CPUs (set while no job runs)
  int helpers_ = 0;              // workers a job may wake
  std::vector<std::thread> workers_;
  std::mutex job_mutex_;  // one job at a time

  // The job in progress: written by the caller before open_ and generation_ change.
  PoolTask fn_ = nullptr;
  const void* ctx_ = nullptr;
  int64_t n_ = 0;
  std::atomic<int64_t> next_{0};
  std::atomic<bool> open_{false};
  std::atomic<int> busy_{0};
  std::atomic<uint64_t> generation_{0};
  std::mutex error_mutex_;
  std::exception_ptr error_;

  // Sleeping workers.
  std::mutex sleep_mutex_;
  std::condition_variable wake_;
  std::atomic<int> sleepers_{0};
  bool stop_ = false;
};

Pool& pool() {
  static Pool p;
  return p;
}

}  // namespace

int pool_threads() { return pool().size(); }
int pool_cpus() { return available_cpus(); }
void set_pool_threads(int n) { pool().resize(n); }
bool in_pool_task() { return t_in_task; }
void run_pool_tasks(int64_t n, PoolTask fn, const void* ctx) {
  if (n > 0) pool().run(n, fn, ctx);
}

}  // namespace tensor::cpu
