// Thread control of the CPU backend: the size of our thread pool, which runs
// every parallel loop and every GEMM (Note [Threads] in tensor/cpu/parallel.h).
#include "tensor/cpu/thread_pool.h"
#include "tensor/ops.h"

namespace tensor {

void set_num_threads(int n) {
  TENSOR_CHECK(n >= 1, "[set_num_threads] need at least 1 thread, got {}", n);
  cpu::set_pool_threads(n);
}

int get_num_threads() { return cpu::pool_threads(); }

}  // namespace tensor
