// The Communicator on MPI: the one file of the project that includes mpi.h,
// compiled only with DIFFUSE_MPI. MPI is initialised when world() is first
// called in a process that mpirun (or srun) started, and finalised at exit.
#include <mpi.h>

#include <climits>
#include <cstdlib>
#include <iostream>

#include "nn/mpi/mpi_communicator.h"
#include "tensor/ops.h"

namespace nn::detail {
namespace {

MPI_Datatype mpi_type(const Tensor& t) { return t.dtype() == tensor::DType::Float64 ? MPI_DOUBLE : MPI_FLOAT; }

int mpi_count(int64_t n, const char* op) {
  TENSOR_CHECK(n <= INT_MAX, "[{}] {} elements are more than one MPI message holds ({})", op, n, INT_MAX);
  return static_cast<int>(n);
}

void check(int status, const char* call) {
  if (status == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(status, text, &length);
  throw tensor::Error(fmt::format("[{}] failed: {}", call, std::string(text, length)));
}

class MpiPending final : public PendingCollective {
 public:
  MpiPending(Tensor send, Tensor receive) : send_(std::move(send)), receive_(std::move(receive)) {}
  MPI_Request* request() { return &request_; }
  Tensor wait() override {
    if (request_ != MPI_REQUEST_NULL) check(MPI_Wait(&request_, MPI_STATUS_IGNORE), "MPI_Wait");
    return receive_;
  }
  ~MpiPending() override {
    if (request_ != MPI_REQUEST_NULL) MPI_Wait(&request_, MPI_STATUS_IGNORE);  // the buffers must outlive it
  }

 private:
  Tensor send_, receive_;  // kept alive until MPI is done with them
  MPI_Request request_ = MPI_REQUEST_NULL;
};

class MpiWorld final : public Communicator {
 public:
  MpiWorld() {
    int provided = 0;
    // Our OpenMP threads never call MPI: only the main thread does.
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    // The ranks that share this machine's memory (and its GPUs), numbered from 0.
    MPI_Comm machine = MPI_COMM_NULL;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &machine);
    MPI_Comm_rank(machine, &local_rank_);
    MPI_Comm_free(&machine);
    char version[MPI_MAX_LIBRARY_VERSION_STRING];
    int length = 0;
    MPI_Get_library_version(version, &length);
    library_ = std::string(version, length);
    library_ = library_.substr(0, library_.find_first_of(",\n"));
  }
  ~MpiWorld() override {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int local_rank() const override { return local_rank_; }
  std::string describe() const override {
    return fmt::format("MPI, {} process{} ({})", size_, size_ == 1 ? "" : "es", library_);
  }

  std::unique_ptr<PendingCollective> start_allgather(const Tensor& mine) override {
    Tensor send = host_contiguous(mine, "allgather");
    tensor::Shape shape = send.shape();
    shape.insert(shape.begin(), size_);
    Tensor receive = Tensor::empty(shape, send.dtype());
    const int count = mpi_count(send.numel(), "allgather");
    auto pending = std::make_unique<MpiPending>(send, receive);
    check(MPI_Iallgather(send.raw_data(), count, mpi_type(send), receive.raw_data(), count, mpi_type(send),
                         MPI_COMM_WORLD, pending->request()),
          "MPI_Iallgather");
    return pending;
  }

  std::unique_ptr<PendingCollective> start_alltoall(const Tensor& send_in) override {
    Tensor send = host_contiguous(send_in, "alltoall");
    TENSOR_CHECK(send.dim() >= 1 && send.size(0) == size_,
                 "[alltoall] sends one row per rank: expected ({}, ...), got {}", size_,
                 tensor::shape_str(send.shape()));
    Tensor receive = Tensor::empty(send.shape(), send.dtype());
    const int count = mpi_count(send.numel() / size_, "alltoall");
    auto pending = std::make_unique<MpiPending>(send, receive);
    check(MPI_Ialltoall(send.raw_data(), count, mpi_type(send), receive.raw_data(), count, mpi_type(send),
                        MPI_COMM_WORLD, pending->request()),
          "MPI_Ialltoall");
    return pending;
  }

  Tensor gather_rows(const Tensor& mine) override {
    const Tensor send = host_contiguous(mine, "gather_rows");
    TENSOR_CHECK(send.dim() >= 1, "[gather_rows] needs rows: got a scalar");
    tensor::Shape shape = send.shape();
    const int64_t row = tensor::numel_of(tensor::Shape(shape.begin() + 1, shape.end()));
    // Every rank's element count and row size, so that the receive buffer can be laid out.
    const int64_t mine_counts[2] = {send.numel(), row};
    std::vector<int64_t> counts(2 * size_);
    check(MPI_Allgather(mine_counts, 2, MPI_INT64_T, counts.data(), 2, MPI_INT64_T, MPI_COMM_WORLD), "MPI_Allgather");
    std::vector<int> elements(size_), displacements(size_);
    int64_t total = 0;
    for (int r = 0; r < size_; ++r) {
      TENSOR_CHECK(counts[2 * r + 1] == row, "[gather_rows] rank {} sends rows of {} elements, rank {} rows of {}", r,
                   counts[2 * r + 1], rank_, row);
      elements[r] = mpi_count(counts[2 * r], "gather_rows");
      displacements[r] = mpi_count(total, "gather_rows");
      total += counts[2 * r];
    }
    shape[0] = row > 0 ? total / row : 0;
    Tensor receive = Tensor::empty(shape, send.dtype());
    check(MPI_Allgatherv(send.raw_data(), elements[rank_], mpi_type(send), receive.raw_data(), elements.data(),
                         displacements.data(), mpi_type(send), MPI_COMM_WORLD),
          "MPI_Allgatherv");
    return receive;
  }

  Tensor allreduce_sum(const Tensor& mine) override {
    Tensor sum = host_contiguous(mine, "allreduce_sum").clone();
    check(MPI_Allreduce(MPI_IN_PLACE, sum.raw_data(), mpi_count(sum.numel(), "allreduce_sum"), mpi_type(sum), MPI_SUM,
                        MPI_COMM_WORLD),
          "MPI_Allreduce");
    return sum;
  }

  std::unique_ptr<PendingCollective> start_allreduce_sum(const Tensor& mine) override {
    Tensor sum = host_contiguous(mine, "allreduce_sum").clone();
    auto pending = std::make_unique<MpiPending>(Tensor(), sum);
    check(MPI_Iallreduce(MPI_IN_PLACE, sum.raw_data(), mpi_count(sum.numel(), "allreduce_sum"), mpi_type(sum), MPI_SUM,
                         MPI_COMM_WORLD, pending->request()),
          "MPI_Iallreduce");
    return pending;
  }

  void barrier() override { check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier"); }

  [[noreturn]] void abort(int exit_status) override {
    std::cerr.flush();
    MPI_Abort(MPI_COMM_WORLD, exit_status);
    std::_Exit(exit_status);  // MPI_Abort does not return; this is for the compiler
  }

 private:
  int rank_ = 0, size_ = 1, local_rank_ = 0;
  std::string library_;
};

}  // namespace

std::unique_ptr<Communicator> make_mpi_communicator() {
  if (!started_by_a_launcher()) return nullptr;  // a lone process: no MPI_Init
  return std::make_unique<MpiWorld>();
}

}  // namespace nn::detail
