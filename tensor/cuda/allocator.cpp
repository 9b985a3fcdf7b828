// The CUDA allocator: a CachingAllocator (tensor/caching_allocator.h) over
// cudaMalloc and cudaFree.
#include "tensor/cuda/allocator.h"

#include <cuda_runtime.h>

#include "tensor/cuda/launch.h"

namespace tensor::cuda {
namespace {

class CudaMemory final : public DeviceMemory {
 public:
  void* malloc(size_t nbytes) override {
    void* p = nullptr;
    const cudaError_t status = cudaMalloc(&p, nbytes);
    if (status == cudaErrorMemoryAllocation) {
      cudaGetLastError();  // clear it: the caller retries after freeing the cache
      return nullptr;
    }
    DIFFUSE_CUDA_CHECK(status, "allocate");
    return p;
  }
  // cudaFree waits for the device, so no queued kernel still uses the block.
  void free(void* p) override { DIFFUSE_CUDA_CHECK(cudaFree(p), "empty_cache"); }
  std::string name() const override { return "cuda"; }
};

CachingAllocator& caching_allocator() {
  // Never destroyed: a static tensor may release its storage after static
  // destructors have run, and the CUDA runtime may be gone by then anyway.
  static auto* cache = new CachingAllocator(*new CudaMemory);
  return *cache;
}

}  // namespace

Allocator& allocator() { return caching_allocator(); }
MemoryStats memory_stats() { return caching_allocator().stats(); }
void empty_cache() { caching_allocator().empty_cache(); }

}  // namespace tensor::cuda
