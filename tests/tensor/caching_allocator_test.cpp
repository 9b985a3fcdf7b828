// The caching allocator's bookkeeping on a fake device with a memory limit:
// size classes, reuse of freed blocks (no new device malloc), and the
// out-of-memory path (free the cache, retry once, then a clear error).
// Runs on every build; tests/tensor/cuda_memory_test.cpp checks the real one.
#include "tensor/caching_allocator.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>

#include "error_util.h"

using namespace tensor;
using tensor_test::contains;
using tensor_test::error_of;

namespace {

// Host memory pretending to be a device with `capacity` bytes.
class FakeDevice final : public DeviceMemory {
 public:
  explicit FakeDevice(size_t capacity) : capacity_(capacity) {}
  ~FakeDevice() override {
    for (auto& [p, size] : live_) std::free(p);
  }
  void* malloc(size_t nbytes) override {
    if (used_ + nbytes > capacity_) return nullptr;
    void* p = std::malloc(nbytes);
    live_[p] = nbytes;
    used_ += nbytes;
    return p;
  }
  void free(void* p) override {
    used_ -= live_.at(p);
    live_.erase(p);
    std::free(p);
  }
  std::string name() const override { return "fake"; }
  size_t used() const { return used_; }

 private:
  size_t capacity_, used_ = 0;
  std::map<void*, size_t> live_;
};

}  // namespace

TEST(CachingAllocator, SizeClassesRoundUpByLessThanAQuarter) {
  EXPECT_EQ(CachingAllocator::size_class(1), 512u);
  EXPECT_EQ(CachingAllocator::size_class(512), 512u);
  EXPECT_EQ(CachingAllocator::size_class(513), 1024u);
  EXPECT_EQ(CachingAllocator::size_class(1025), 1280u);
  EXPECT_EQ(CachingAllocator::size_class(2048), 2048u);
  EXPECT_EQ(CachingAllocator::size_class(2049), 2560u);
  size_t previous = 0;
  for (size_t n = 1000; n < (size_t{1} << 30); n = n * 9 / 7 + 1) {
    const size_t size = CachingAllocator::size_class(n);
    EXPECT_GE(size, n);
    EXPECT_LT(size, n + n / 4 + 1) << n;
    EXPECT_GE(size, previous) << n;                            // monotone
    EXPECT_EQ(CachingAllocator::size_class(size), size) << n;  // a class is its own class
    previous = size;
  }
}

TEST(CachingAllocator, ReusesAFreedBlockOfTheSameClass) {
  FakeDevice device(1 << 20);
  CachingAllocator cache(device);
  void* a = cache.allocate(1000);
  cache.deallocate(a, 1000);
  EXPECT_EQ(cache.stats().cached_bytes, 1024u);
  // The same size, and another size of the same class, get the block back without a device malloc.
  void* b = cache.allocate(1000);
  EXPECT_EQ(b, a);
  cache.deallocate(b, 1000);
  void* c = cache.allocate(900);
  EXPECT_EQ(c, a);
  MemoryStats s = cache.stats();
  EXPECT_EQ(s.device_mallocs, 1);
  EXPECT_EQ(s.cache_hits, 2);
  EXPECT_EQ(s.allocated_bytes, 1024u);
  EXPECT_EQ(s.cached_bytes, 0u);
  // A different class needs its own block.
  void* d = cache.allocate(5000);
  EXPECT_NE(d, a);
  EXPECT_EQ(cache.stats().device_mallocs, 2);
  cache.deallocate(c, 900);
  cache.deallocate(d, 5000);
  s = cache.stats();
  EXPECT_EQ(s.allocated_bytes, 0u);
  EXPECT_EQ(s.peak_allocated_bytes, 1024u + 5120u);
  EXPECT_EQ(s.cached_bytes, 1024u + 5120u);
  EXPECT_EQ(device.used(), 1024u + 5120u);
  cache.empty_cache();
  EXPECT_EQ(cache.stats().cached_bytes, 0u);
  EXPECT_EQ(cache.stats().device_frees, 2);
  EXPECT_EQ(device.used(), 0u);
}

TEST(CachingAllocator, RepeatedStepsNeedNoNewDeviceMemory) {
  FakeDevice device(1 << 24);
  CachingAllocator cache(device);
  const size_t sizes[] = {4, 4096, 300000, 4096, 12345};
  for (int step = 0; step < 5; ++step) {
    std::vector<void*> held;
    for (size_t n : sizes) held.push_back(cache.allocate(n));
    for (size_t i = 0; i < held.size(); ++i) cache.deallocate(held[i], sizes[i]);
    EXPECT_EQ(cache.stats().device_mallocs, 5) << "step " << step;  // all from the first step
  }
}

TEST(CachingAllocator, OutOfMemoryFreesTheCacheAndRetries) {
  FakeDevice device(4096);
  CachingAllocator cache(device);
  void* a = cache.allocate(2048);
  cache.deallocate(a, 2048);  // 2048 cached: 3072 more do not fit beside it
  void* b = cache.allocate(3072);
  ASSERT_NE(b, nullptr);
  const MemoryStats s = cache.stats();
  EXPECT_EQ(s.device_frees, 1);
  EXPECT_EQ(s.cached_bytes, 0u);
  EXPECT_EQ(s.allocated_bytes, 3072u);
  EXPECT_EQ(device.used(), 3072u);
  cache.deallocate(b, 3072);
}

TEST(CachingAllocator, OutOfMemoryAfterTheRetryNamesTheBytes) {
  FakeDevice device(4096);
  CachingAllocator cache(device);
  void* held = cache.allocate(3072);
  const std::string msg = error_of([&] { cache.allocate(2000); });
  EXPECT_TRUE(contains(msg, "[allocate] out of fake memory")) << msg;
  EXPECT_TRUE(contains(msg, "asked for 2000 bytes (2048 as a block)")) << msg;
  EXPECT_TRUE(contains(msg, "tensors hold 3072 bytes")) << msg;
  // The failed request changed nothing.
  EXPECT_EQ(cache.stats().allocated_bytes, 3072u);
  EXPECT_EQ(cache.stats().device_mallocs, 1);
  cache.deallocate(held, 3072);
  EXPECT_EQ(cache.allocate(0), nullptr);  // empty tensors take no block
}
