// Device: where a tensor's bytes live. CPU always; CUDA when the library was
// built with the CUDA backend (DIFFUSE_WITH_CUDA) and a GPU is present. The
// functions below are defined by tensor/cuda/runtime.cpp in a CUDA build and
// by tensor/device.cpp otherwise.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tensor {

enum class Device : uint8_t { CPU, CUDA };

constexpr std::string_view device_name(Device d) { return d == Device::CPU ? "cpu" : "cuda"; }

// True when this build contains the CUDA backend.
bool cuda_built();
// True when this build contains the CUDA backend AND a CUDA device is usable
// (false, not a crash, without a driver or a GPU). GPU tests skip when false.
bool cuda_available();
// Waits until every kernel queued on the device has finished (CPU: returns at once).
void synchronize(Device device);

// Copies nbytes between two devices' memory (Note [Copies across devices] in
// tensor/tensor.cpp). Waits for the copy to finish.
void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, size_t nbytes);

}  // namespace tensor
