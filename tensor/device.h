// Device: where a tensor's bytes live. CPU always; CUDA when the library was
// built with the CUDA backend (DIFFUSE_WITH_CUDA).
#pragma once
#include <cstdint>
#include <string_view>

namespace tensor {

enum class Device : uint8_t { CPU, CUDA };

constexpr std::string_view device_name(Device d) { return d == Device::CPU ? "cpu" : "cuda"; }

// True when this build contains the CUDA backend.
bool cuda_built();
// True when this build contains the CUDA backend and a CUDA device is present
// (false, not a crash, without a driver or GPU).
bool cuda_available();

}  // namespace tensor
