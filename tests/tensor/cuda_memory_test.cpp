// The CUDA caching allocator in place (tests/tensor/caching_allocator_test.cpp
// checks its bookkeeping on a fake device): a repeated allocation reuses the
// cached block with no new cudaMalloc, and empty_cache returns the cache.
// Skipped without a GPU.
#include <gtest/gtest.h>

#include "cuda_compare.h"

#ifdef DIFFUSE_WITH_CUDA
#include "tensor/cuda/allocator.h"
#endif

using namespace tensor;

TEST(CudaMemory, RepeatedAllocationsReuseCachedBlocks) {
  SKIP_WITHOUT_CUDA();
#ifdef DIFFUSE_WITH_CUDA
  auto step = [] {
    Tensor a = zeros({1000, 37}, DType::Float32, Device::CUDA);
    Tensor b = add(a, 1.0);
    return sum(b).item();  // both blocks go back to the cache here
  };
  EXPECT_EQ(step(), 37000.0);  // the first step takes its blocks from cudaMalloc (or an earlier test's cache)
  const cuda::MemoryStats before = cuda::memory_stats();
  EXPECT_GE(before.cached_bytes, 2u * 1000 * 37 * 4);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(step(), 37000.0);
  const cuda::MemoryStats after = cuda::memory_stats();
  EXPECT_EQ(after.device_mallocs, before.device_mallocs);  // the steady state needs no cudaMalloc
  EXPECT_GE(after.cache_hits, before.cache_hits + 20);
  EXPECT_EQ(after.allocated_bytes, before.allocated_bytes);
  cuda::empty_cache();
  EXPECT_EQ(cuda::memory_stats().cached_bytes, 0u);
#endif
}
