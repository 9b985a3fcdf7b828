// Between nn/distributed.cpp and the MPI implementation (nn/mpi/, compiled
// only with DIFFUSE_MPI): the factory, and the checks both implementations
// make on a collective's input. Not part of the library's interface.
#pragma once
#include <memory>

#include "nn/distributed.h"

namespace nn::detail {

// MPI's world when this process was started by mpirun or srun, else nullptr.
std::unique_ptr<Communicator> make_mpi_communicator();

// Whether a launcher (mpirun, srun) started this process: it says so in the environment.
bool started_by_a_launcher();

// `t` as a contiguous float32/float64 tensor on the CPU; throws naming `op` for other dtypes.
Tensor host_contiguous(const Tensor& t, const char* op);

}  // namespace nn::detail
