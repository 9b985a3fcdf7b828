// The caching allocator's bookkeeping (Note [Caching allocator] in
// tensor/caching_allocator.h): size classes, free lists, the out-of-memory retry.
#include "tensor/caching_allocator.h"

#include <algorithm>
#include <bit>

#include "tensor/error.h"

namespace tensor {

size_t CachingAllocator::size_class(size_t nbytes) {
  constexpr size_t kMinBlock = 512;
  if (nbytes <= 2 * kMinBlock) return (nbytes + kMinBlock - 1) / kMinBlock * kMinBlock;
  // 2^k < nbytes <= 2^(k+1): round up to a multiple of 2^k / 4.
  const size_t k = std::bit_width(nbytes - 1) - 1;
  const size_t step = size_t{1} << (k - 2);
  return (nbytes + step - 1) / step * step;
}

void* CachingAllocator::allocate(size_t nbytes) {
  if (nbytes == 0) return nullptr;
  const size_t size = size_class(nbytes);
  std::lock_guard<std::mutex> lock(mutex_);
  void* p = nullptr;
  auto it = free_blocks_.find(size);
  if (it != free_blocks_.end() && !it->second.empty()) {
    p = it->second.back();
    it->second.pop_back();
    stats_.cached_bytes -= size;
    ++stats_.cache_hits;
  } else {
    p = memory_.malloc(size);
    if (p == nullptr) {  // out of memory: give the cache back to the device and try once more
      const size_t cached = stats_.cached_bytes;
      release_cached_blocks();
      p = memory_.malloc(size);
      TENSOR_CHECK(p != nullptr,
                   "[allocate] out of {} memory: asked for {} bytes ({} as a block); tensors hold {} bytes, and the "
                   "{} cached bytes were freed before retrying",
                   memory_.name(), nbytes, size, stats_.allocated_bytes, cached);
    }
    ++stats_.device_mallocs;
  }
  stats_.allocated_bytes += size;
  stats_.peak_allocated_bytes = std::max(stats_.peak_allocated_bytes, stats_.allocated_bytes);
  return p;
}

void CachingAllocator::deallocate(void* p, size_t nbytes) {
  if (p == nullptr) return;
  const size_t size = size_class(nbytes);
  std::lock_guard<std::mutex> lock(mutex_);
  free_blocks_[size].push_back(p);
  stats_.allocated_bytes -= size;
  stats_.cached_bytes += size;
}

MemoryStats CachingAllocator::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

void CachingAllocator::empty_cache() {
  std::lock_guard<std::mutex> lock(mutex_);
  release_cached_blocks();
}

void CachingAllocator::release_cached_blocks() {
  for (auto& [size, blocks] : free_blocks_) {
    for (void* p : blocks) {
      memory_.free(p);
      ++stats_.device_frees;
      stats_.cached_bytes -= size;
    }
    blocks.clear();
  }
}

}  // namespace tensor
