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

// Plain, a job of one: local rank 0. Under `mpirun -np 2` (ctest
// nn_mpi_local_rank), each rank's index on this machine, which Open MPI also
// states in OMPI_COMM_WORLD_LOCAL_RANK: rank r of a one-machine job is local rank r.
TEST(Distributed, LocalRankCountsTheRanksOnThisMachine) {
  nn::Communicator& job = nn::world();
  const char* launcher_says = std::getenv("OMPI_COMM_WORLD_LOCAL_RANK");
  EXPECT_EQ(job.local_rank(), launcher_says != nullptr ? std::atoi(launcher_says) : 0);
  EXPECT_EQ(job.local_rank(), job.rank());  // every rank of these tests is on one machine
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
