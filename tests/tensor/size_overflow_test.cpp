// Element counts and byte sizes that would pass 2^63 (issue: a .npy of shape
// (4611686018427387904, 4) wrapped numel_of to 0 and random_fill wrote past
// its buffer). Each must throw a tensor::Error naming the shape.
#include <gtest/gtest.h>

#include "error_util.h"
#include "tensor/allocation_budget.h"
#include "tensor/ops.h"
#include "tensor/random.h"

using namespace tensor;
using tensor_test::contains;
using tensor_test::error_of;

TEST(SizeOverflow, NumelOfRefusesAProductPast2To63) {
  const Shape wraps = {int64_t{1} << 62, 4};  // 2^64: wraps to 0 in int64 arithmetic
  const std::string e = error_of([&] { numel_of(wraps); });
  EXPECT_TRUE(contains(e, "[numel]") && contains(e, "(4611686018427387904, 4)")) << e;
  // A zero makes the count 0, but the strides multiply the other sizes (found by fuzz_npy).
  const Shape zero_and_huge = {758, 0, 888888880, 8888888888888};
  EXPECT_TRUE(contains(error_of([&] { Tensor::empty(zero_and_huge); }), "[numel]"));
  // Elements fit, bytes do not: a float32 stride of 2^62 elements is 2^64 bytes.
  const Shape zero_and_wide = {0, int64_t{1} << 62};
  EXPECT_TRUE(contains(error_of([&] { Tensor::empty(zero_and_wide); }), "[empty]"));
  EXPECT_EQ(numel_of({int64_t{1} << 31, int64_t{1} << 31}), int64_t{1} << 62);  // large but fine
  EXPECT_EQ(numel_of({int64_t{1} << 62, 0}), 0);
}

TEST(SizeOverflow, EmptyRefusesAByteSizePast2To63) {
  // 2^61 elements fit an int64, but 2^61 float64s are 2^64 bytes.
  const std::string e = error_of([] { Tensor::empty({int64_t{1} << 61}, DType::Float64); });
  EXPECT_TRUE(contains(e, "[empty]") && contains(e, "bytes")) << e;
  const std::string wrap = error_of([] {
    Generator gen(0);
    randn({int64_t{1} << 62, 4}, gen);
  });
  EXPECT_TRUE(contains(wrap, "[numel]")) << wrap;
}

TEST(SizeOverflow, AnAllocationTooLargeForMemoryIsANamedError) {
  // 2^60 bytes: no machine has that; the error says how many bytes were asked for.
  const std::string e = error_of([] { Tensor::empty({int64_t{1} << 58}, DType::Float32); });
  EXPECT_TRUE(contains(e, "[storage] cannot allocate 1152921504606846976 bytes")) << e;
}

TEST(AllocationBudget, RefusesWhatWouldPassItAndEndsWithItsScope) {
  {
    const ScopedAllocationBudget budget(1000, "building the test model");
    Tensor::empty({100}, DType::Float32);  // 400 bytes
    Tensor::empty({100}, DType::Float32);  // 800: freed memory still counts
    const std::string e = error_of([] { Tensor::empty({100}, DType::Float32); });
    EXPECT_TRUE(contains(e, "[allocation budget] building the test model needs more than 1000 bytes")) << e;
    {
      const ScopedAllocationBudget inner(10, "inner");
      EXPECT_TRUE(contains(error_of([] { Tensor::empty({3}, DType::Float32); }), "inner"));
    }
  }
  EXPECT_EQ(Tensor::empty({1000}, DType::Float32).numel(), 1000);  // no budget here
}
