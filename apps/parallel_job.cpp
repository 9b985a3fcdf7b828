// The command line's side of a data-parallel job (parallel_job.h); the
// processes and their collectives are nn/distributed.h.
#include "apps/parallel_job.h"

#include <cstdlib>
#include <iostream>

#include "apps/cli_validators.h"
#include "apps/error.h"
#include "nn/distributed.h"
#include "nn/strict_number.h"
#include "tensor/device_select.h"

namespace apps {

void add_parallel_flags(CLI::App* cmd, TrainOptions& o) {
  cmd->add_option("--shards", o.shards,
                  "cut each batch into S shards whose gradients are summed in order: the result depends on S, "
                  "not on the number of processes, which must divide S (docs/distributed.md)")
      ->check(whole_number(1))
      ->capture_default_str();
  cmd->add_option("--grad-reduce", o.grad_reduce,
                  "exact: gather every shard's gradient and sum in shard order (equal to one process, bit for "
                  "bit); allreduce: sum over processes in MPI's order (less traffic, equal within rounding)")
      ->check(CLI::IsMember({"exact", "allreduce"}))
      ->capture_default_str();
  cmd->add_option("--grad-bucket-kb", o.grad_bucket_kb,
                  "allreduce: send the gradient in buckets of about this many KB, each as soon as the backward pass "
                  "has finished it; 0 sends it whole after the backward pass")
      ->check(whole_number(0))
      ->capture_default_str();
}

bool is_root_rank() { return nn::world().rank() == 0; }

std::ostream& root_stream(std::ostream& out) {
  static std::ostream nowhere(nullptr);  // no buffer: every write is dropped
  return is_root_rank() ? out : nowhere;
}

std::string rank_prefix() {
  const nn::Communicator& job = nn::world();
  return job.size() > 1 ? fmt::format("rank {} of {}: ", job.rank(), job.size()) : "";
}

void stop_job_after_error(int exit_status) {
  nn::Communicator& job = nn::world();
  if (job.size() > 1) {
    std::cout.flush();
    job.abort(exit_status);
  }
}

int rank_gpu(int local_rank, int gpu_count) {
  APPS_CHECK(local_rank >= 0 && gpu_count >= 1, "rank_gpu: local rank {} on {} GPU(s)", local_rank, gpu_count);
  return local_rank % gpu_count;
}

void select_rank_gpu() { tensor::cuda_select_device(rank_gpu(nn::world().local_rank(), tensor::cuda_device_count())); }

void test_failure_point(int64_t step) {
  const char* spec = std::getenv("DIFFUSE_TEST_FAIL_AT");
  if (spec == nullptr) return;
  const std::string text(spec);
  const size_t colon = text.find(':');
  APPS_CHECK(colon != std::string::npos, "DIFFUSE_TEST_FAIL_AT={}: expected RANK:STEP", text);
  const int64_t rank = nn::parse_int64(text.substr(0, colon), "DIFFUSE_TEST_FAIL_AT rank", 0);
  const int64_t at = nn::parse_int64(text.substr(colon + 1), "DIFFUSE_TEST_FAIL_AT step", 1);
  if (rank == nn::world().rank() && at == step)
    throw Error(fmt::format("failure injected at step {} (DIFFUSE_TEST_FAIL_AT={})", step, text));
}

ItemRange my_items(int64_t count) {
  const nn::Communicator& job = nn::world();
  return {count * job.rank() / job.size(), count * (job.rank() + 1) / job.size()};
}

}  // namespace apps
