// The device runtime of a build without the CUDA backend: only the CPU
// exists. A CUDA build compiles tensor/cuda/runtime.cpp instead.
#ifndef DIFFUSE_WITH_CUDA
#include "tensor/device.h"

#include <cstring>

#include "tensor/device_select.h"
#include "tensor/error.h"

namespace tensor {

bool cuda_built() { return false; }
bool cuda_available() { return false; }
int cuda_device_count() { return 0; }
void cuda_select_device(int index) {
  throw Error(fmt::format("[cuda_select_device] device {}: this build has no CUDA backend", index));
}

void synchronize(Device device) { TENSOR_CHECK(device == Device::CPU, "[synchronize] this build has no CUDA backend"); }

void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, size_t nbytes) {
  TENSOR_CHECK(dst_device == Device::CPU && src_device == Device::CPU, "[copy_] this build has no CUDA backend");
  if (nbytes > 0) std::memcpy(dst, src, nbytes);
}

}  // namespace tensor
#endif
