// The CPU backend's own thread pool: the threads behind parallel_for and
// parallel_tasks (parallel.h). It replaces OpenMP parallel regions because it
// decides how its threads wait (Note [Waiting threads] in thread_pool.cpp)
// and lets the calling thread take every task nobody else has started.
// What runs on which thread never changes a result (Note [Same bits for any
// thread count] in parallel.h).
#pragma once
#include <cstdint>

namespace tensor::cpu {

// Threads a parallel loop may use, the calling thread included (>= 1).
int pool_threads();
// Sets it; the pool starts or stops workers to match.
void set_pool_threads(int n);
// The CPUs this process may run on (its affinity mask), at least 1: with more
// threads than these, no more than these work at once (Note [Waiting threads]).
int pool_cpus();

// True on a thread that is running a pool task: a parallel loop started
// there runs inline, on that thread alone.
bool in_pool_task();

// Calls fn(ctx, i) once for every i in [0, n). The calling thread claims
// tasks one at a time alongside any woken workers and returns when all have
// finished; an exception thrown by a task is rethrown here (the first one).
using PoolTask = void (*)(const void* ctx, int64_t i);
void run_pool_tasks(int64_t n, PoolTask fn, const void* ctx);

template <typename F>
void run_pool_tasks(int64_t n, const F& f) {
  run_pool_tasks(
      n, [](const void* ctx, int64_t i) { (*static_cast<const F*>(ctx))(i); }, &f);
}

}  // namespace tensor::cpu
