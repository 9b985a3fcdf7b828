// Thread control of the CPU backend: one OpenMP pool serves our loops and OpenBLAS (Note [Threads]).
#include <cblas.h>
#include <omp.h>

#include "tensor/ops.h"

namespace tensor {

void set_num_threads(int n) {
  TENSOR_CHECK(n >= 1, "[set_num_threads] need at least 1 thread, got {}", n);
  omp_set_num_threads(n);
  openblas_set_num_threads(n);
}

int get_num_threads() { return omp_get_max_threads(); }

}  // namespace tensor
