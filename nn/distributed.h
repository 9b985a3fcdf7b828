// The processes of a data-parallel job and what they exchange: rank, size,
// allgather, allreduce, barrier, abort. One implementation talks to MPI
// (nn/mpi/, built with DIFFUSE_MPI, the only file that includes mpi.h); the
// other is a lone process, for builds without MPI and runs not started by mpirun.
#pragma once
#include <memory>
#include <string>

#include "tensor/tensor.h"

namespace nn {

using tensor::Tensor;

// A collective started by Communicator::start_*; wait() returns what the
// blocking call would have.
class PendingCollective {
 public:
  virtual ~PendingCollective() = default;
  virtual Tensor wait() = 0;
};

// Tensors in and out are on the CPU and contiguous, float32 or float64; a
// tensor on a GPU is copied to the host first (docs/distributed.md says
// what a device-side reduction would change). Every collective must be
// called by every rank, in the same order, with the same shapes.
class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // This rank's index among the ranks on its machine (0 in a lone process): a
  // rank uses GPU local_rank mod (GPUs on the machine), docs/distributed.md.
  virtual int local_rank() const = 0;
  virtual std::string describe() const = 0;  // "1 process" or "MPI, 4 processes (Open MPI v4.1.4)"

  // Every rank's `mine` (one shape everywhere), stacked in rank order: (size, ...mine's shape).
  Tensor allgather(const Tensor& mine) { return start_allgather(mine)->wait(); }
  // The same, with the bytes travelling while the caller computes.
  virtual std::unique_ptr<PendingCollective> start_allgather(const Tensor& mine) = 0;
  // send (size, m): row j goes to rank j; returns (size, m) whose row q came from rank q.
  Tensor alltoall(const Tensor& send) { return start_alltoall(send)->wait(); }
  virtual std::unique_ptr<PendingCollective> start_alltoall(const Tensor& send) = 0;
  // Every rank's rows (dim 0 may differ between ranks, the rest may not), concatenated in rank order.
  virtual Tensor gather_rows(const Tensor& mine) = 0;
  // The elementwise sum over ranks. MPI picks the order of the additions, so the
  // bits may change with the number of ranks (Note [Exact data parallelism]).
  virtual Tensor allreduce_sum(const Tensor& mine) = 0;
  // The same, started now (MPI_Iallreduce): a bucket of gradients travels while
  // backward computes the next (Note [Gradient buckets] in diffusion/data_parallel.cpp).
  virtual std::unique_ptr<PendingCollective> start_allreduce_sum(const Tensor& mine) = 0;
  virtual void barrier() = 0;
  // Stops every rank of the job with this exit status (MPI_Abort); a lone process exits.
  [[noreturn]] virtual void abort(int exit_status) = 0;
};

// The job this process belongs to: MPI's world when built with DIFFUSE_MPI and
// started by mpirun (or srun), else a lone process. MPI is initialised on the
// first call and finalised at exit.
Communicator& world();

// Whether this build can join an MPI job (DIFFUSE_MPI).
bool built_with_mpi();
// Throws when a launcher started several copies of a build without MPI:
// they would each run the whole job, writing the same files.
void check_launch();

}  // namespace nn
