// Storage asks its device's allocator for bytes (tensor/allocator.h) and
// returns them when the last tensor viewing it goes away.
#include "tensor/storage.h"

#include "tensor/allocator.h"
#include "tensor/error.h"

namespace tensor {

Allocator& allocator_for(Device device) {
  if (device == Device::CPU) return cpu::allocator();
#ifdef DIFFUSE_WITH_CUDA
  return cuda::allocator();
#else
  throw Error(fmt::format("[storage] cannot allocate on {}: this build has no CUDA backend", device_name(device)));
#endif
}

Storage::Storage(size_t nbytes, Device device) : nbytes_(nbytes), device_(device) {
  data_ = allocator_for(device).allocate(nbytes);
}

Storage::~Storage() { allocator_for(device_).deallocate(data_, nbytes_); }

}  // namespace tensor
