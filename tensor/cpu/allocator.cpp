// The CPU allocator: 64-byte aligned blocks from the C heap, which glibc is
// told to keep for reuse (Note [Reusing freed memory]).
#include "tensor/allocator.h"

#include <malloc.h>

#include <cstdlib>
#include <new>

namespace tensor::cpu {
namespace {

// 64-byte alignment: a cache line, and enough for any SIMD load.
constexpr size_t kAlignment = 64;

// Note [Reusing freed memory]: a training step allocates and frees the same
// few-hundred-kilobyte activations every time. glibc serves blocks above
// its mmap threshold (128 KiB at first) with fresh pages from the kernel and
// gives them back on free, so every step paid page faults and page zeroing
// (a tenth of an MLP2D step). Raising the threshold and the trim threshold
// keeps freed blocks in the heap for the next step to reuse: the CPU's
// equivalent of a caching allocator, in two calls.
void keep_freed_memory_for_reuse() {
  static const bool done = [] {
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
    return true;
  }();
  (void)done;
}

class HeapAllocator final : public Allocator {
 public:
  HeapAllocator() { keep_freed_memory_for_reuse(); }
  void* allocate(size_t nbytes) override {
    const size_t rounded = (nbytes + kAlignment - 1) / kAlignment * kAlignment;
    if (rounded == 0) return nullptr;
    void* p = std::aligned_alloc(kAlignment, rounded);
    if (p == nullptr) throw std::bad_alloc();
    return p;
  }
  void deallocate(void* p, size_t) override { std::free(p); }
};

}  // namespace

Allocator& allocator() {
  static HeapAllocator heap;
  return heap;
}

}  // namespace tensor::cpu
