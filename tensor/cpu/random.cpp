// CPU random fills: element i of the (contiguous) output is a function of
// (seed, stream, i) alone (Note [Philox streams] in tensor/philox.h).
#include "tensor/cpu/kernels.h"
#include "tensor/cpu/parallel.h"
#include "tensor/philox.h"

namespace tensor::cpu {

void random_fill(const Tensor& out, RandomKind kind, uint64_t seed, uint64_t stream) {
  dispatch_float(out.dtype(), "random", [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* o = out.data<T>();
    parallel_for(0, out.numel(), 4096, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) o[i] = philox::random_value<T>(kind, seed, stream, i);
    });
  });
}

}  // namespace tensor::cpu
