// DataParallel in one process (the MPI runs are tests/apps/mpi_train_test.sh):
// one shard is the plain step to the bit, S shards give the batch-mean
// gradient and loss (their rows / B weights), allreduce buckets leave during
// backward with unchanged bits, and the refusals name the numbers.
#include "diffusion/data_parallel.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "autograd/ops.h"
#include "nn/models/mlp2d.h"
#include "tensor/ops.h"

namespace {

using diffusion::DataParallel;
using tensor::Tensor;

struct SmallModel {
  tensor::Generator init{7};
  nn::MLP2D model{nn::MLP2DConfig{2, 16, 8, 2}, init};
  diffusion::Schedule schedule = diffusion::make_schedule("linear", 1000);
  Tensor x0;
  SmallModel() {
    tensor::Generator data(3);
    x0 = tensor::randn({10, 2}, data);
  }
  std::vector<Tensor> grads() {
    std::vector<Tensor> out;
    for (const auto& p : model.parameters()) out.push_back(p.grad().clone());
    return out;
  }
  // The plain step's loss and gradients, drawing from gen.
  double plain_step(tensor::Generator& gen, std::vector<Tensor>& gradients) {
    model.zero_grad();
    const autograd::Variable loss = diffusion::diffusion_loss(model, schedule, x0, gen);
    loss.backward();
    gradients = grads();
    return loss.item();
  }
};

TEST(DataParallel, OneShardIsThePlainStepBitForBit) {
  SmallModel s;
  tensor::Generator gen_plain(11), gen_parallel(11);
  std::vector<Tensor> plain;
  const double loss = s.plain_step(gen_plain, plain);
  DataParallel parallel(nn::world(), 10, 1);
  const double value = parallel.loss_and_gradient(s.model, s.schedule, s.x0, gen_parallel, {});
  EXPECT_EQ(value, loss);
  const std::vector<Tensor> sharded = s.grads();
  for (size_t i = 0; i < plain.size(); ++i)
    EXPECT_EQ(plain[i].to_vector<float>(), sharded[i].to_vector<float>()) << "parameter " << i;
  EXPECT_EQ(gen_plain.stream(), gen_parallel.stream());
}

TEST(DataParallel, UnevenShardsSumToTheBatchMean) {
  // 10 rows in 4 shards of 2, 3, 2, 3 rows: each weighted by its rows / 10.
  SmallModel s;
  tensor::Generator gen_plain(11), gen_parallel(11);
  std::vector<Tensor> plain;
  const double loss = s.plain_step(gen_plain, plain);
  DataParallel parallel(nn::world(), 10, 4);
  EXPECT_EQ(parallel.shard_begin(1), 2);
  EXPECT_EQ(parallel.shard_begin(2), 5);
  const double value = parallel.loss_and_gradient(s.model, s.schedule, s.x0, gen_parallel, {});
  EXPECT_NEAR(value, loss, 1e-6 * loss);
  const std::vector<Tensor> sharded = s.grads();
  for (size_t i = 0; i < plain.size(); ++i) {
    const std::vector<float> a = plain[i].to_vector<float>(), b = sharded[i].to_vector<float>();
    for (size_t j = 0; j < a.size(); ++j) EXPECT_NEAR(a[j], b[j], 1e-5 * (1 + std::abs(a[j]))) << "parameter " << i;
  }
  EXPECT_EQ(gen_plain.stream(), gen_parallel.stream());  // the same draws: t and eps of the whole batch
}

// A job of one that notes, at each allreduce (blocking or started), whether the first
// registered parameter (the last one backward reaches) has its gradient yet.
class RecordingJob final : public nn::Communicator {
 public:
  explicit RecordingJob(const autograd::Variable& first) : first_(first) {}
  std::vector<bool> first_ready_at_start;
  int rank() const override { return 0; }
  int size() const override { return 1; }
  int local_rank() const override { return 0; }
  std::string describe() const override { return "recording"; }
  std::unique_ptr<nn::PendingCollective> start_allgather(const Tensor& mine) override {
    return nn::world().start_allgather(mine);
  }
  std::unique_ptr<nn::PendingCollective> start_alltoall(const Tensor& send) override {
    return nn::world().start_alltoall(send);
  }
  Tensor gather_rows(const Tensor& mine) override { return nn::world().gather_rows(mine); }
  Tensor allreduce_sum(const Tensor& mine) override {
    first_ready_at_start.push_back(first_.grad().defined());
    return nn::world().allreduce_sum(mine);
  }
  std::unique_ptr<nn::PendingCollective> start_allreduce_sum(const Tensor& mine) override {
    first_ready_at_start.push_back(first_.grad().defined());
    return nn::world().start_allreduce_sum(mine);
  }
  void barrier() override {}
  [[noreturn]] void abort(int exit_status) override { std::_Exit(exit_status); }

 private:
  autograd::Variable first_;
};

TEST(DataParallel, AllreduceBucketsLeaveDuringBackwardWithTheSameBits) {
  // Note [Gradient buckets]: 4 shards in one process; the last shard's gradient
  // goes in buckets of one parameter (1 byte), of a few, or whole (0 bytes).
  // Every element must be the same sum as without buckets, to the bit.
  std::vector<std::vector<Tensor>> results;
  for (int64_t bucket_bytes : {0, 1, 200}) {
    SmallModel s;
    tensor::Generator gen(11);
    RecordingJob job(s.model.parameters().front());
    DataParallel parallel(job, 10, 4, diffusion::GradReduce::Allreduce, bucket_bytes);
    parallel.loss_and_gradient(s.model, s.schedule, s.x0, gen, {});
    results.push_back(s.grads());
    if (bucket_bytes == 0) {
      EXPECT_EQ(job.first_ready_at_start, std::vector<bool>{true});  // one allreduce, after backward
    } else {
      ASSERT_GE(job.first_ready_at_start.size(), 2u);
      EXPECT_FALSE(job.first_ready_at_start.front()) << "the first bucket waited for the end of backward";
    }
    if (bucket_bytes == 1) {  // one parameter per bucket
      EXPECT_EQ(job.first_ready_at_start.size(), s.model.parameters().size());
    }
  }
  for (size_t r = 1; r < results.size(); ++r)
    for (size_t i = 0; i < results[0].size(); ++i)
      EXPECT_EQ(results[0][i].to_vector<float>(), results[r][i].to_vector<float>()) << "parameter " << i;
}

TEST(DataParallel, RefusesMoreShardsThanRows) {
  try {
    DataParallel(nn::world(), 4, 5);
    FAIL() << "no error";
  } catch (const tensor::Error& e) {
    EXPECT_NE(std::string(e.what()).find("--shards 5 must be in 1..4"), std::string::npos) << e.what();
  }
  EXPECT_THROW(diffusion::parse_grad_reduce("ring"), tensor::Error);
}

}  // namespace
