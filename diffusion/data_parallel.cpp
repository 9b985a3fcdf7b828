// DataParallel: the shard loop and the two gradient reductions of Note
// [Exact data parallelism]. Gradients travel as one flat vector per shard,
// the parameters' gradients end to end in named_parameters() order, or, for
// the allreduce, in buckets started during backward (Note [Gradient buckets]).
#include "diffusion/data_parallel.h"

#include <optional>
#include <unordered_map>

#include "autograd/engine.h"
#include "autograd/ops.h"
#include "tensor/ops.h"

namespace diffusion {
namespace {

namespace t = tensor;

// The parameters' gradients end to end; a parameter without one (unused by the forward) counts as zeros.
Tensor flat_gradient(const std::vector<Variable>& params) {
  std::vector<Tensor> parts;
  for (const Variable& p : params)
    parts.push_back(p.grad().defined() ? p.grad().reshape({-1})
                                       : t::zeros({p.data().numel()}, p.data().dtype(), p.data().device()));
  return t::cat(parts, 0);
}

// The inverse of flat_gradient, on each parameter's device; parameters that had no gradient get none.
void set_flat_gradient(const std::vector<Variable>& params, const Tensor& flat, const std::vector<bool>& has_grad) {
  int64_t offset = 0;
  for (size_t i = 0; i < params.size(); ++i) {
    const Tensor& w = params[i].data();
    if (has_grad[i]) params[i].set_grad(flat.narrow(0, offset, w.numel()).reshape(w.shape()).to(w.device()));
    offset += w.numel();
  }
}

// Note [Gradient buckets]: with GradReduce::Allreduce, a rank's last local
// shard need not finish its backward pass before its gradient starts to travel.
// As in PyTorch's DistributedDataParallel, the parameters are grouped in
// reverse registration order (about the order backward finishes them:
// autograd::LeafGradReady in autograd/variable.h) into buckets of about
// bucket_bytes. When every parameter of a bucket has its final gradient, the
// bucket (the sum of this rank's earlier shards over its range, plus this
// shard's gradient) starts its allreduce (MPI_Iallreduce) while backward goes
// on. Buckets start in bucket order on every rank, since collectives must be
// called in the same order everywhere: a bucket that fills early waits for
// those before it. A parameter no gradient reaches completes its bucket after
// backward, as zeros. Every element is the same local sum as without buckets
// (the same float32 additions in the same order); the allreduce then adds the
// N partial sums. With 2 ranks that is one commutative addition, so the bits
// equal the unbucketed allreduce's (tests/apps/mpi_train_test.sh checks it);
// with more, MPI may order the additions by message size, and the result
// agrees within the allreduce's tolerance.
class GradientBuckets {
 public:
  // earlier_sum: this rank's earlier shards' flat gradient sum, or undefined when this is its only shard.
  GradientBuckets(nn::Communicator& comm, const std::vector<Variable>& params, int64_t bucket_bytes, Tensor earlier_sum)
      : comm_(comm), params_(params), earlier_sum_(std::move(earlier_sum)) {
    std::vector<int64_t> offsets{0};
    for (const Variable& p : params) offsets.push_back(offsets.back() + p.data().numel());
    for (size_t last = params.size(); last > 0;) {  // from the last parameter down
      size_t first = last;
      int64_t bytes = 0;
      while (first > 0 && (first == last || bytes < bucket_bytes)) {
        --first;
        bytes += params[first].data().numel() * static_cast<int64_t>(t::dtype_size(params[first].dtype()));
      }
      for (size_t i = first; i < last; ++i) bucket_of_[params[i].impl()].push_back(buckets_.size());
      buckets_.push_back({first, last, offsets[first], offsets[last] - offsets[first], last - first, nullptr});
      last = first;
    }
  }

  // The LeafGradReady callback of the shard's backward pass.
  void on_ready(const Variable& leaf) {
    auto found = bucket_of_.find(leaf.impl());
    if (found == bucket_of_.end()) return;  // not a parameter (an input that requires grad)
    for (size_t b : found->second) --buckets_[b].waiting;
    start_buckets(false);
  }

  // Starts the buckets still waiting (parameters without a gradient), waits for
  // all, and returns the summed flat gradient in registration order.
  Tensor finish() {
    start_buckets(true);
    std::vector<Tensor> parts;
    for (auto it = buckets_.rbegin(); it != buckets_.rend(); ++it) parts.push_back(it->pending->wait());
    return t::cat(parts, 0);
  }

 private:
  struct Bucket {
    size_t first, last;     // parameters [first, last) in registration order
    int64_t offset, numel;  // their range of the flat gradient
    size_t waiting;         // parameters whose gradient is not final yet
    std::unique_ptr<nn::PendingCollective> pending;
  };

  void start_buckets(bool even_unfinished) {
    for (; next_ < buckets_.size() && (even_unfinished || buckets_[next_].waiting == 0); ++next_) {
      Bucket& bucket = buckets_[next_];
      const std::vector<Variable> members(params_.begin() + bucket.first, params_.begin() + bucket.last);
      Tensor part = flat_gradient(members);
      if (earlier_sum_.defined()) part = t::add(earlier_sum_.narrow(0, bucket.offset, bucket.numel), part);
      bucket.pending = comm_.start_allreduce_sum(part);
    }
  }

  nn::Communicator& comm_;
  const std::vector<Variable>& params_;
  Tensor earlier_sum_;
  std::vector<Bucket> buckets_;                                                 // buckets_[0] holds the last parameters
  std::unordered_map<autograd::VariableImpl*, std::vector<size_t>> bucket_of_;  // a shared parameter: several
  size_t next_ = 0;                                                             // the first bucket not started
};

}  // namespace

GradReduce parse_grad_reduce(const std::string& name) {
  if (name == "exact") return GradReduce::Exact;
  if (name == "allreduce") return GradReduce::Allreduce;
  throw t::Error(fmt::format("[parse_grad_reduce] unknown reduction '{}' (expected exact or allreduce)", name));
}

DataParallel::DataParallel(nn::Communicator& comm, int64_t batch, int64_t shards, GradReduce reduce,
                           int64_t bucket_bytes)
    : comm_(comm), batch_(batch), shards_(shards), reduce_(reduce), bucket_bytes_(bucket_bytes) {
  TENSOR_CHECK(shards >= 1 && shards <= batch, "[DataParallel] --shards {} must be in 1..{} (the batch)", shards,
               batch);
  TENSOR_CHECK(shards % comm.size() == 0,
               "[DataParallel] --shards {} does not split over {} processes: give --shards a multiple of {} (the "
               "result depends on --shards, never on the number of processes)",
               shards, comm.size(), comm.size());
}

int64_t DataParallel::first_shard() const { return comm_.rank() * shards_per_rank(); }

double DataParallel::loss_and_gradient(nn::TimestepModel& model, const Schedule& schedule, const Tensor& x0,
                                       tensor::Generator& gen, const LossOptions& options, const Tensor& classes) {
  TENSOR_CHECK(x0.dim() >= 2 && x0.size(0) == batch_, "[DataParallel] expected a batch of {} rows, got {}", batch_,
               t::shape_str(x0.shape()));
  // The whole batch's t and eps on every rank: a row's noise does not depend on who computes it.
  const LossNoise noise = draw_loss_noise(schedule, x0, gen);
  if (shards_ == 1) {  // one process, one shard: the plain step
    model.zero_grad();
    const Variable loss = diffusion_loss(model, schedule, x0, noise, options, classes);
    loss.backward();
    return loss.item();
  }
  const std::vector<Variable> params = model.parameters();
  std::vector<bool> has_grad;
  std::vector<double> local_losses;
  const int ranks = comm_.size();
  std::vector<std::unique_ptr<nn::PendingCollective>> sends;  // Exact: one alltoall per local shard
  Tensor local_sum;                                           // Allreduce: this rank's shards, added in order
  Tensor bucketed_sum;                                        // Allreduce with buckets: the result
  int64_t numel = 0;
  for (const Variable& p : params) numel += p.data().numel();
  const int64_t slice = (numel + ranks - 1) / ranks;  // Exact: rank r sums elements [r slice, (r+1) slice)
  for (int64_t k = 0; k < shards_per_rank(); ++k) {
    const int64_t shard = first_shard() + k;
    const int64_t begin = shard_begin(shard), rows = shard_begin(shard + 1) - begin;
    const LossNoise part{noise.steps.narrow(0, begin, rows), noise.eps.narrow(0, begin, rows)};
    model.zero_grad();
    // The shard's mean loss weighted by its share of the batch: the shard losses add up to the batch mean.
    const Tensor part_classes = classes.defined() ? classes.narrow(0, begin, rows) : Tensor();
    const Variable loss = diffusion_loss(model, schedule, x0.narrow(0, begin, rows), part, options, part_classes) *
                          (static_cast<double>(rows) / static_cast<double>(batch_));
    const bool overlap = reduce_ == GradReduce::Allreduce && bucket_bytes_ > 0 && k + 1 == shards_per_rank();
    std::optional<GradientBuckets> buckets;
    if (overlap) {  // Note [Gradient buckets]
      buckets.emplace(comm_, params, bucket_bytes_, local_sum);
      autograd::backward(loss, [&](const Variable& leaf) { buckets->on_ready(leaf); });
    } else {
      loss.backward();
    }
    local_losses.push_back(loss.item());
    if (k == 0)
      for (const Variable& p : params) has_grad.push_back(p.grad().defined());
    if (overlap) {
      bucketed_sum = buckets->finish();
      continue;
    }
    const Tensor gradient = flat_gradient(params);
    if (reduce_ == GradReduce::Exact) {
      // Slice r of this shard's gradient to rank r (zeros pad the last slice); it
      // travels while the next shard computes.
      const Tensor padded =
          t::cat({gradient, t::zeros({slice * ranks - numel}, gradient.dtype(), gradient.device())}, 0);
      sends.push_back(comm_.start_alltoall(padded.reshape({ranks, slice})));
    } else {
      local_sum = k == 0 ? gradient : t::add(local_sum, gradient);
    }
  }

  Tensor sum;
  if (reduce_ == GradReduce::Exact) {
    // received[k] (ranks, slice): row q is this rank's slice of shard q * shards_per_rank() + k.
    std::vector<Tensor> received;
    for (auto& send : sends) received.push_back(send->wait());
    Tensor my_slice;  // the sum over all shards, in shard order, of this rank's slice
    for (int q = 0; q < ranks; ++q)
      for (const Tensor& round : received)
        my_slice = my_slice.defined() ? t::add(my_slice, round.select(0, q)) : round.select(0, q);
    sum = comm_.allgather(my_slice).reshape({-1}).narrow(0, 0, numel);
  } else {
    sum = bucketed_sum.defined() ? bucketed_sum : comm_.allreduce_sum(local_sum);
  }
  set_flat_gradient(params, sum, has_grad);

  // The batch loss: the shard losses in shard order, the same on every rank.
  const Tensor losses = comm_.allgather(t::from_vector(local_losses, {shards_per_rank()}, t::DType::Float64));
  double total = 0;
  for (double v : losses.to_vector<double>()) total += v;
  return total;
}

}  // namespace diffusion
