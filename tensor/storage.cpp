#include "tensor/storage.h"

#include <malloc.h>

#include <cstdlib>
#include <new>

#include "tensor/error.h"

namespace tensor {

#ifndef DIFFUSE_WITH_CUDA
bool cuda_built() { return false; }
bool cuda_available() { return false; }
#endif

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
}  // namespace

Storage::Storage(size_t nbytes, Device device) : nbytes_(nbytes), device_(device) {
  TENSOR_CHECK(device == Device::CPU || cuda_built(), "[storage] cannot allocate on {}: this build has no CUDA backend",
               device_name(device));
  TENSOR_CHECK(device == Device::CPU, "[storage] CUDA storage is not implemented yet");
  keep_freed_memory_for_reuse();
  const size_t rounded = (nbytes + kAlignment - 1) / kAlignment * kAlignment;
  if (rounded > 0) {
    data_ = std::aligned_alloc(kAlignment, rounded);
    if (data_ == nullptr) throw std::bad_alloc();
  }
}

Storage::~Storage() { std::free(data_); }

}  // namespace tensor
