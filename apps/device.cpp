// parse_device (see device.h).
#include "apps/device.h"

#include "apps/error.h"
#include "apps/parallel_job.h"

namespace apps {

tensor::Device parse_device(const std::string& name) {
  if (name == "cpu") return tensor::Device::CPU;
  APPS_CHECK(name == "cuda", "--device {}: expected cpu or cuda", name);
  APPS_CHECK(tensor::cuda_built(), "--device cuda: this build has no CUDA backend");
  APPS_CHECK(tensor::cuda_available(), "--device cuda: no CUDA device found");
  select_rank_gpu();  // in a job of several processes, each rank on its own GPU
  return tensor::Device::CUDA;
}

}  // namespace apps
