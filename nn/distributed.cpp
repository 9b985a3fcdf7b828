// world(): MPI's job when there is one (nn/mpi/communicator.cpp), otherwise
// LoneProcess, whose collectives are copies: the same code runs with and
// without MPI, and one process is simply a job of size 1.
#include "nn/distributed.h"

#include <cstdlib>
#include <iostream>

#include "nn/mpi/mpi_communicator.h"
#include "tensor/ops.h"

namespace nn {
namespace {

class Done final : public PendingCollective {
 public:
  explicit Done(Tensor result) : result_(std::move(result)) {}
  Tensor wait() override { return result_; }

 private:
  Tensor result_;
};

class LoneProcess final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  int local_rank() const override { return 0; }
  std::string describe() const override { return "1 process"; }
  std::unique_ptr<PendingCollective> start_allgather(const Tensor& mine) override {
    const Tensor t = detail::host_contiguous(mine, "allgather");
    return std::make_unique<Done>(t.clone().unsqueeze(0));
  }
  std::unique_ptr<PendingCollective> start_alltoall(const Tensor& send) override {
    const Tensor t = detail::host_contiguous(send, "alltoall");
    TENSOR_CHECK(t.dim() >= 1 && t.size(0) == 1, "[alltoall] sends one row per rank: expected (1, ...), got {}",
                 tensor::shape_str(t.shape()));
    return std::make_unique<Done>(t.clone());
  }
  Tensor gather_rows(const Tensor& mine) override { return detail::host_contiguous(mine, "gather_rows").clone(); }
  Tensor allreduce_sum(const Tensor& mine) override { return detail::host_contiguous(mine, "allreduce_sum").clone(); }
  std::unique_ptr<PendingCollective> start_allreduce_sum(const Tensor& mine) override {
    return std::make_unique<Done>(allreduce_sum(mine));
  }
  void barrier() override {}
  [[noreturn]] void abort(int exit_status) override {
    std::cerr.flush();
    std::_Exit(exit_status);
  }
};

}  // namespace

namespace detail {

#ifndef DIFFUSE_WITH_MPI
// A build without MPI is always a lone process.
std::unique_ptr<Communicator> make_mpi_communicator() { return nullptr; }
#endif

// Open MPI's mpirun, PMI (MPICH's hydra, Slurm's srun --mpi=pmi2) and PMIx
// (srun --mpi=pmix, Open MPI 5) each set one of these in every process they start.
bool started_by_a_launcher() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(name) != nullptr) return true;
  return false;
}

Tensor host_contiguous(const Tensor& t, const char* op) {
  TENSOR_CHECK(t.defined(), "[{}] tensor is undefined", op);
  TENSOR_CHECK(t.dtype() == tensor::DType::Float32 || t.dtype() == tensor::DType::Float64,
               "[{}] sends float32 or float64 tensors, got {}", op, tensor::dtype_name(t.dtype()));
  return t.to(tensor::Device::CPU).contiguous();
}

}  // namespace detail

Communicator& world() {
  static const std::unique_ptr<Communicator> job = [] {
    std::unique_ptr<Communicator> mpi = detail::make_mpi_communicator();
    return mpi != nullptr ? std::move(mpi) : std::unique_ptr<Communicator>(std::make_unique<LoneProcess>());
  }();
  return *job;
}

void check_launch() {
  if (built_with_mpi() || !detail::started_by_a_launcher()) return;
  const char* size = std::getenv("OMPI_COMM_WORLD_SIZE");
  if (size == nullptr) size = std::getenv("PMI_SIZE");
  if (size != nullptr && std::string(size) == "1") return;  // a job of one is one process anyway
  throw tensor::Error(
      "a launcher (mpirun, srun) started this program, but it was built without MPI (DIFFUSE_MPI off): each copy "
      "would run the whole job alone; rebuild with MPI (libopenmpi-dev) or run it without the launcher");
}

bool built_with_mpi() {
#ifdef DIFFUSE_WITH_MPI
  return true;
#else
  return false;
#endif
}

}  // namespace nn
