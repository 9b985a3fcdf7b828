// parse_device (see device.h).
#include "apps/device.h"

#include "apps/error.h"

namespace apps {

tensor::Device parse_device(const std::string& name) {
  if (name == "cpu") return tensor::Device::CPU;
  APPS_CHECK(name == "cuda", "--device {}: expected cpu or cuda", name);
  APPS_CHECK(tensor::cuda_built(), "--device cuda: this build has no CUDA backend");
  APPS_CHECK(tensor::cuda_available(), "--device cuda: no CUDA device found");
  return tensor::Device::CUDA;
}

}  // namespace apps
