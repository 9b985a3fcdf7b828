// Data-parallel gradients of the denoising loss (docs/math.md (2.2)) over the
// ranks of a Communicator, equal to one process's bit for bit: the batch is
// cut into a fixed number of shards, each shard's gradient is computed on its
// own, and the shard gradients are summed in shard order (Note [Exact data
// parallelism]). The optimizer step stays with the caller.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "diffusion/training.h"
#include "nn/distributed.h"

namespace diffusion {

// Note [Exact data parallelism]: a result must be a function of the seed, not
// of the number of processes N. Floating-point addition is not associative,
// so "each rank sums its part, then allreduce" changes the last bits with N.
// Instead the global batch of B rows is cut into S shards (S = --shards, part
// of the run's config, the same for every N): shard s holds rows
// [s B / S, (s+1) B / S). Every rank draws the whole batch's t and eps (cheap:
// two Philox streams, docs/distributed.md) and slices them, so a row gets the
// same noise whoever computes it. Rank r computes shards r S/N .. (r+1) S/N - 1,
// each from zero gradients, with the loss scaled by rows_s / B, so that the
// shard gradients add up to the gradient of the batch mean:
//   g = (((g_0 + g_1) + g_2) + ... + g_{S-1})      in this order, in float32.
// GradReduce::Exact is a reduce-scatter in shard order, then an allgather:
// rank r owns slice r of the flat gradient (P / N elements), receives that
// slice of every shard (alltoall; each rank's k-th shard travels while its
// (k+1)-th is computed), adds the S slices in shard order, and the ranks
// gather their summed slices. Each element gets the same additions for any N
// that divides S, and in one process too, which runs the same shards one
// after the other; the bytes are those of an allreduce when S = N (P in,
// P out per rank; docs/distributed.md). S = 1 in one process is the plain
// loss.backward() of the whole batch.
// GradReduce::Allreduce sums each rank's shards locally and allreduces the N
// partial sums (MPI's order): a factor S/N less traffic, and results equal to
// Exact's within float32 rounding (tests/apps/mpi_train_test.sh states the
// tolerance), not to the bit.
// With Allreduce, the last local shard's gradient leaves in buckets during its
// backward pass (Note [Gradient buckets] in data_parallel.cpp).
enum class GradReduce { Exact, Allreduce };
GradReduce parse_grad_reduce(const std::string& name);  // "exact" or "allreduce"

class DataParallel {
 public:
  // Throws naming the problem unless 1 <= shards <= batch and comm.size() divides shards.
  // bucket_bytes: GradReduce::Allreduce sends the gradient in buckets of about
  // this many bytes, each as soon as backward has finished it; 0 sends it whole
  // after backward.
  DataParallel(nn::Communicator& comm, int64_t batch, int64_t shards, GradReduce reduce = GradReduce::Exact,
               int64_t bucket_bytes = kDefaultBucketBytes);
  static constexpr int64_t kDefaultBucketBytes = 256 * 1024;

  // The loss of the global batch x0 (the same B rows on every rank) with noise
  // drawn from gen (every rank's gen at the same stream), and the rows' classes
  // for a class-conditional model (undefined: none). Leaves the gradient of the
  // batch mean in each parameter's grad, the same on every rank.
  double loss_and_gradient(nn::TimestepModel& model, const Schedule& schedule, const Tensor& x0, tensor::Generator& gen,
                           const LossOptions& options, const Tensor& classes = Tensor());

  int64_t shards() const { return shards_; }
  int64_t first_shard() const;  // this rank's first shard
  int64_t shards_per_rank() const { return shards_ / comm_.size(); }
  int64_t shard_begin(int64_t shard) const { return shard * batch_ / shards_; }  // its first row

 private:
  nn::Communicator& comm_;
  int64_t batch_, shards_;
  GradReduce reduce_;
  int64_t bucket_bytes_;
};

}  // namespace diffusion
