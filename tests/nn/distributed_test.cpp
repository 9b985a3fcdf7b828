// nn::world() in a process no launcher started: a job of one whose
// collectives are copies, refusing what MPI could not send; and check_launch,
// which stops a build without MPI from running once per mpirun copy.
#include "nn/distributed.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "tensor/ops.h"

namespace {

TEST(Distributed, ALoneProcessIsAJobOfOne) {
  nn::Communicator& job = nn::world();
  EXPECT_EQ(job.rank(), 0);
  EXPECT_EQ(job.size(), 1);
  const tensor::Tensor x = tensor::from_vector(std::vector<double>{1, 2, 3, 4}, {2, 2});
  const tensor::Tensor gathered = job.allgather(x);
  EXPECT_EQ(gathered.shape(), (tensor::Shape{1, 2, 2}));
  EXPECT_EQ(gathered.to_vector<float>(), x.to_vector<float>());
  EXPECT_EQ(job.alltoall(x.reshape({1, 4})).to_vector<float>(), x.to_vector<float>());
  EXPECT_EQ(job.gather_rows(x).shape(), x.shape());
  EXPECT_EQ(job.allreduce_sum(x).to_vector<float>(), x.to_vector<float>());
  EXPECT_THROW(job.alltoall(x), tensor::Error);  // two rows for a job of one
  EXPECT_THROW(job.allgather(tensor::from_vector(std::vector<int64_t>{1, 2}, {2})), tensor::Error);
}

TEST(Distributed, ABuildWithoutMpiRefusesToRunOncePerLauncherCopy) {
  EXPECT_NO_THROW(nn::check_launch());  // no launcher here
  setenv("OMPI_COMM_WORLD_SIZE", "4", 1);
  if (nn::built_with_mpi()) {
    EXPECT_NO_THROW(nn::check_launch());
  } else {
    try {
      nn::check_launch();
      ADD_FAILURE() << "no error";
    } catch (const tensor::Error& e) {
      EXPECT_NE(std::string(e.what()).find("built without MPI"), std::string::npos) << e.what();
    }
  }
  setenv("OMPI_COMM_WORLD_SIZE", "1", 1);
  EXPECT_NO_THROW(nn::check_launch());  // a job of one
  unsetenv("OMPI_COMM_WORLD_SIZE");
}

}  // namespace
