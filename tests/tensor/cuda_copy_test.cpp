// The device seam: copies between the CPU and CUDA (bit for bit, any layout,
// with casts), data<T>() refusing device memory, and the CPU allocator. The
// CUDA tests skip without a GPU; in a build without CUDA, cuda_available()
// is false.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>

#include "error_util.h"
#include "tensor/allocator.h"
#include "tensor/ops.h"
#include "tensor/random.h"

using namespace tensor;
using tensor_test::contains;
using tensor_test::error_of;

namespace {

#define SKIP_WITHOUT_CUDA() \
  if (!cuda_available()) GTEST_SKIP() << "no CUDA device"

// Equal bytes, element for element (so NaN payloads and -0.0 count too).
void expect_same_bits(const Tensor& a, const Tensor& b) {
  ASSERT_EQ(a.shape(), b.shape());
  ASSERT_EQ(a.dtype(), b.dtype());
  const Tensor ca = a.to(Device::CPU).contiguous(), cb = b.to(Device::CPU).contiguous();
  EXPECT_EQ(std::memcmp(ca.raw_data(), cb.raw_data(), ca.numel() * dtype_size(ca.dtype())), 0);
}

Tensor some_values(const Shape& shape, DType dtype) {
  Generator gen(7);
  Tensor x = randn(shape, gen, DType::Float64);
  return dtype == DType::Int64 ? floor(mul(x, 100.0)).to(DType::Int64) : x.to(dtype);
}

}  // namespace

TEST(CpuAllocator, AlignedAndEmpty) {
  Allocator& cpu = allocator_for(Device::CPU);
  void* p = cpu.allocate(100);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u);
  cpu.deallocate(p, 100);
  EXPECT_EQ(cpu.allocate(0), nullptr);
  cpu.deallocate(nullptr, 0);
  synchronize(Device::CPU);  // a no-op on the CPU
}

TEST(CudaCopy, RoundTripIsBitExact) {
  SKIP_WITHOUT_CUDA();
  for (DType dtype : {DType::Float32, DType::Float64, DType::Int64}) {
    const Tensor x = some_values({3, 5, 7}, dtype);
    const Tensor on_gpu = x.to(Device::CUDA);
    EXPECT_EQ(on_gpu.device(), Device::CUDA);
    expect_same_bits(on_gpu.to(Device::CPU), x);
  }
}

TEST(CudaCopy, StridedExpandedAndCastAcrossDevices) {
  SKIP_WITHOUT_CUDA();
  const Tensor x = some_values({4, 6}, DType::Float64);
  // A transposed, a narrowed and an expanded source, each copied to the GPU and back.
  for (const Tensor& src : {x.t(), x.narrow(1, 1, 3), x.narrow(0, 2, 1).expand({5, 6})}) {
    expect_same_bits(src.to(Device::CUDA), src.contiguous());
  }
  // Into a strided destination on the GPU, and from a strided one back.
  Tensor dst = zeros({6, 4}, DType::Float64, Device::CUDA).t();
  dst.copy_(x);
  expect_same_bits(dst, x);
  Tensor back = zeros({6, 4}, DType::Float64).t();
  back.copy_(dst);
  expect_same_bits(back, x);
  // A cast on the way (float64 CPU -> float32 CUDA) equals the CPU's cast.
  Tensor f32 = Tensor::empty({4, 6}, DType::Float32, Device::CUDA);
  f32.copy_(x);
  expect_same_bits(f32, x.to(DType::Float32));
}

TEST(CudaCopy, DataRefusesDeviceMemory) {
  SKIP_WITHOUT_CUDA();
  const Tensor x = zeros({2}, DType::Float32, Device::CUDA);
  const std::string msg = error_of([&] { x.data<float>(); });
  EXPECT_TRUE(contains(msg, "[data] tensor is on cuda")) << msg;
  EXPECT_TRUE(contains(msg, ".to(Device::CPU)")) << msg;
  EXPECT_EQ(x.to(Device::CPU).to_vector<float>(), std::vector<float>({0, 0}));
  EXPECT_EQ(scalar(2.5, DType::Float64, Device::CUDA).item(), 2.5);
  // Ops do not mix devices; they say which.
  const std::string mixed = error_of([&] { add(x, zeros({2})); });
  EXPECT_TRUE(contains(mixed, "[add] devices differ: cuda and cpu")) << mixed;
}
