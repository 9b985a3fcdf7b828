// CachingAllocator: keeps freed device blocks for reuse, over a device's raw
// malloc/free (DeviceMemory). The CUDA allocator is one over cudaMalloc
// (tensor/cuda/allocator.cpp); tests drive one over a fake device with a
// memory limit, so the bookkeeping is tested without a GPU.
//
// Note [Caching allocator]: cudaMalloc and cudaFree are slow (they may
// synchronize the device) and may not be called while a stream is being
// captured into a CUDA graph. A training step allocates and frees the same
// sizes every time, so the allocator rounds each request up to a size class
// (at most a quarter more), keeps freed blocks in one free list per class,
// and serves the next request of that class from the list. After the first
// step every request finds a block: no device malloc in the steady state,
// the precondition for capturing a step into a CUDA graph. (Replaying one
// also needs the blocks it uses kept for it, PyTorch's private graph pool;
// not written yet.) A block serves only
// its own class (no splitting), so memory in other classes stays cached
// until empty_cache() or an out-of-memory: then every cached block is freed
// and the malloc retried once before the error. Reuse is safe without
// events because every kernel runs on one stream (tensor/cuda/launch.h): a
// block's next user is queued after its last.
#pragma once
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "tensor/allocator.h"

namespace tensor {

// A device's raw memory, under the cache.
class DeviceMemory {
 public:
  virtual ~DeviceMemory() = default;
  // nullptr when the device is out of memory; throws tensor::Error on other failures.
  virtual void* malloc(size_t nbytes) = 0;
  virtual void free(void* p) = 0;
  virtual std::string name() const = 0;  // for error messages: "cuda"
};

struct MemoryStats {
  size_t allocated_bytes = 0;       // in blocks tensors hold (size classes, not requests)
  size_t cached_bytes = 0;          // in freed blocks kept for reuse
  size_t peak_allocated_bytes = 0;  // the most allocated_bytes has been
  int64_t device_mallocs = 0;       // calls to the device's malloc (cudaMalloc), ever
  int64_t device_frees = 0;         // calls to its free (empty_cache, out-of-memory retries)
  int64_t cache_hits = 0;           // requests served from a free list
};

class CachingAllocator final : public Allocator {
 public:
  explicit CachingAllocator(DeviceMemory& memory) : memory_(memory) {}
  void* allocate(size_t nbytes) override;
  void deallocate(void* p, size_t nbytes) override;
  MemoryStats stats() const;
  // Frees every cached block (tensors' blocks stay).
  void empty_cache();
  // The size a request is rounded up to: 512 or 1024 bytes up to 1 KiB;
  // above, one of four evenly spaced sizes per power of two (1280, 1536,
  // 1792, 2048, 2560, ...), so rounding adds under a quarter.
  static size_t size_class(size_t nbytes);

 private:
  void release_cached_blocks();  // with mutex_ held

  DeviceMemory& memory_;
  mutable std::mutex mutex_;
  std::unordered_map<size_t, std::vector<void*>> free_blocks_;  // by size class
  MemoryStats stats_;
};

}  // namespace tensor
