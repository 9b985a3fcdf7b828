// One GPU per rank (docs/distributed.md): which GPU a rank takes, and that a
// machine without one (or a build without CUDA) refuses a selection clearly.
#include "apps/parallel_job.h"

#include <gtest/gtest.h>

#include "apps/error.h"
#include "tensor/device.h"
#include "tensor/device_select.h"
#include "tensor/error.h"

namespace {

TEST(ParallelJob, EachRankOfAMachineTakesItsOwnGpu) {
  EXPECT_EQ(apps::rank_gpu(0, 1), 0);
  EXPECT_EQ(apps::rank_gpu(3, 8), 3);
  EXPECT_EQ(apps::rank_gpu(5, 4), 1);  // more ranks than GPUs: round-robin
  EXPECT_THROW(apps::rank_gpu(0, 0), apps::Error);
}

TEST(ParallelJob, SelectingAGpuThatIsNotThereIsRefused) {
  const int count = tensor::cuda_device_count();
  EXPECT_EQ(count == 0, !tensor::cuda_available());
  EXPECT_THROW(tensor::cuda_select_device(count), tensor::Error);  // one past the last
  if (count > 0) {
    EXPECT_NO_THROW(tensor::cuda_select_device(0));
  }
}

}  // namespace
