#include "tensor/storage.h"

#include <cstdlib>
#include <new>

#include "tensor/error.h"

namespace tensor {

#ifndef DIFFUSE_WITH_CUDA
bool cuda_built() { return false; }
#endif

namespace {
// 64-byte alignment: a cache line, and enough for any SIMD load.
constexpr size_t kAlignment = 64;
}  // namespace

Storage::Storage(size_t nbytes, Device device) : nbytes_(nbytes), device_(device) {
  TENSOR_CHECK(device == Device::CPU || cuda_built(),
               "[storage] cannot allocate on {}: this build has no CUDA backend", device_name(device));
  TENSOR_CHECK(device == Device::CPU, "[storage] CUDA storage is not implemented yet");
  const size_t rounded = (nbytes + kAlignment - 1) / kAlignment * kAlignment;
  if (rounded > 0) {
    data_ = std::aligned_alloc(kAlignment, rounded);
    if (data_ == nullptr) throw std::bad_alloc();
  }
}

Storage::~Storage() { std::free(data_); }

}  // namespace tensor
