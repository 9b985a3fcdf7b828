// DataParallel: the shard loop and the two gradient reductions of Note
// [Exact data parallelism]. Gradients travel as one flat vector per shard,
// the parameters' gradients end to end in named_parameters() order.
#include "diffusion/data_parallel.h"

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

}  // namespace

GradReduce parse_grad_reduce(const std::string& name) {
  if (name == "exact") return GradReduce::Exact;
  if (name == "allreduce") return GradReduce::Allreduce;
  throw t::Error(fmt::format("[parse_grad_reduce] unknown reduction '{}' (expected exact or allreduce)", name));
}

DataParallel::DataParallel(nn::Communicator& comm, int64_t batch, int64_t shards, GradReduce reduce)
    : comm_(comm), batch_(batch), shards_(shards), reduce_(reduce) {
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
    loss.backward();
    local_losses.push_back(loss.item());
    if (k == 0)
      for (const Variable& p : params) has_grad.push_back(p.grad().defined());
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
    sum = comm_.allreduce_sum(local_sum);
  }
  set_flat_gradient(params, sum, has_grad);

  // The batch loss: the shard losses in shard order, the same on every rank.
  const Tensor losses = comm_.allgather(t::from_vector(local_losses, {shards_per_rank()}, t::DType::Float64));
  double total = 0;
  for (double v : losses.to_vector<double>()) total += v;
  return total;
}

}  // namespace diffusion
