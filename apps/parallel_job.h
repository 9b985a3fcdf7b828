// What the commands do differently when mpirun starts several of them
// (docs/distributed.md): the training flags --shards and --grad-reduce, rank
// 0 alone writing files and logs, a failing rank stopping the job with a
// message naming it, and splitting a list of work items between the ranks.
#pragma once
#include <CLI/CLI.hpp>
#include <cstdint>
#include <ostream>
#include <string>

#include "apps/commands/commands.h"

namespace apps {

void add_parallel_flags(CLI::App* cmd, TrainOptions& o);

// True on rank 0, which writes the files and the log; true in a lone process.
bool is_root_rank();
// `out` on rank 0; a stream that drops everything on the other ranks.
std::ostream& root_stream(std::ostream& out);

// "rank 1 of 4: " in a job of several processes, "" otherwise: the start of an error line.
std::string rank_prefix();
// In a job of several processes, stops all of them with `exit_status` (MPI_Abort);
// otherwise returns, and the caller exits as usual.
void stop_job_after_error(int exit_status);

// One GPU per rank: the GPU of the rank with index local_rank among its
// machine's ranks, on a machine with gpu_count GPUs (local_rank mod gpu_count;
// more ranks than GPUs share them round-robin).
int rank_gpu(int local_rank, int gpu_count);
// Makes this rank's GPU (rank_gpu of nn::world().local_rank()) the current CUDA
// device; called by parse_device for --device cuda, before any CUDA tensor
// exists. A lone process keeps GPU 0, as before.
void select_rank_gpu();

// DIFFUSE_TEST_FAIL_AT=RANK:STEP makes that rank throw at that training step,
// so that a test can watch the job stop (tests/apps/mpi_train_test.sh).
void test_failure_point(int64_t step);

// Items [begin, end) of `count` for this rank: contiguous blocks in rank
// order, so that gathering the ranks' results in rank order keeps item order.
struct ItemRange {
  int64_t begin, end;
};
ItemRange my_items(int64_t count);

}  // namespace apps
