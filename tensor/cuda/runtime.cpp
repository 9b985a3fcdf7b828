// The device runtime of a CUDA build: is a GPU there, the one stream, waiting
// for it, copies across devices, and CUDA errors as tensor::Error. A build
// without CUDA compiles tensor/device.cpp instead.
#include <cuda_runtime.h>

#include "tensor/cuda/launch.h"
#include "tensor/device.h"
#include "tensor/device_select.h"
#include "tensor/error.h"

namespace tensor {

namespace cuda {

void throw_cuda_error(const char* op, int code, const char* what) {
  throw Error(fmt::format("[{}] CUDA error: {} (code {})", op, what, code));
}

bool stream_made = false;  // from then on the current device is fixed (cuda_select_device)

cudaStream_t stream() {
  static const cudaStream_t s = [] {
    stream_made = true;
    cudaStream_t created = nullptr;
    DIFFUSE_CUDA_CHECK(cudaStreamCreateWithFlags(&created, cudaStreamNonBlocking), "stream");
    return created;
  }();
  return s;
}

}  // namespace cuda

bool cuda_built() { return true; }

bool cuda_available() {
  static const bool available = [] {
    int count = 0;
    // Without a driver or a device this returns an error: no GPU, not a crash.
    const bool ok = cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
    cudaGetLastError();  // clear that error, so the next CUDA call does not report it
    return ok;
  }();
  return available;
}

int cuda_device_count() {
  int count = 0;
  if (cuda_available()) DIFFUSE_CUDA_CHECK(cudaGetDeviceCount(&count), "cuda_device_count");
  return count;
}

void cuda_select_device(int index) {
  const int count = cuda_device_count();
  TENSOR_CHECK(index >= 0 && index < count,
               "[cuda_select_device] device {} does not exist: this process sees {} GPU(s)", index, count);
  int current = 0;
  DIFFUSE_CUDA_CHECK(cudaGetDevice(&current), "cuda_select_device");
  if (current == index) return;
  TENSOR_CHECK(!cuda::stream_made,
               "[cuda_select_device] device {} asked for after CUDA work began on device {}: select it first", index,
               current);
  DIFFUSE_CUDA_CHECK(cudaSetDevice(index), "cuda_select_device");
}

void synchronize(Device device) {
  if (device == Device::CPU) return;
  DIFFUSE_CUDA_CHECK(cudaStreamSynchronize(cuda::stream()), "synchronize");
}

void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, size_t nbytes) {
  if (nbytes == 0) return;
  const cudaMemcpyKind kind = dst_device == Device::CPU
                                  ? (src_device == Device::CPU ? cudaMemcpyHostToHost : cudaMemcpyDeviceToHost)
                                  : (src_device == Device::CPU ? cudaMemcpyHostToDevice : cudaMemcpyDeviceToDevice);
  // On the kernels' stream, so the copy sees every kernel queued before it;
  // then wait, so the host may read (or free) its side at once.
  DIFFUSE_CUDA_CHECK(cudaMemcpyAsync(dst, src, nbytes, kind, cuda::stream()), "copy_");
  DIFFUSE_CUDA_CHECK(cudaStreamSynchronize(cuda::stream()), "copy_");
}

}  // namespace tensor
