// Training does not depend on the thread count (Note [Same bits for any
// thread count] in tensor/cpu/parallel.h): three AdamW steps of the reference
// U-Net with 1 and with 2 threads end with the same parameters and optimizer
// moments, bit for bit, and so does AdamW's threaded update. The suite
// otherwise runs with one thread (tests/CMakeLists.txt);
// tests/tensor/threads_test.cpp also tries 3 threads, kernel by kernel.
#include <gtest/gtest.h>

#include <cstring>

#include "autograd/ops.h"
#include "nn/models/unet.h"
#include "nn/optim/adam.h"
#include "tensor/ops.h"
#include "tensor/random.h"

using namespace nn;
namespace t = tensor;
namespace ag = autograd;

namespace {

// Every parameter and every AdamW buffer after `steps` steps on fixed data,
// run with `threads` threads; the model, data and targets depend on the seed only.
StateDict train_unet(int threads, int steps) {
  const int saved = t::get_num_threads();
  t::set_num_threads(threads);
  t::Generator gen(7);
  UNet net(UNetConfig{}, gen);  // the reference U-Net: 1x28x28, 587,809 parameters
  AdamW opt(net.named_parameters(), AdamWOptions{.lr = 1e-3});
  // An odd batch, so that 2 threads split the images unevenly.
  const int64_t batch = 3;
  for (int step = 0; step < steps; ++step) {
    const Variable x(t::randn({batch, 1, 28, 28}, gen));
    const Tensor noise = t::randn({batch, 1, 28, 28}, gen);
    const Tensor steps_t = t::from_list({10.0, 500.0, 990.0});
    opt.zero_grad();
    const Variable loss = ag::mean(ag::square(net(x, steps_t) - Variable(noise)));
    loss.backward();
    opt.step();
  }
  StateDict state = opt.state_dict();
  for (const auto& [name, p] : net.named_parameters()) state["param." + name] = p.data().clone();
  for (auto& [name, tensor] : state) tensor = tensor.clone();
  t::set_num_threads(saved);
  return state;
}

// The names of the tensors of `b` whose bits differ from `a`'s.
std::vector<std::string> differing(const StateDict& a, const StateDict& b) {
  std::vector<std::string> names;
  for (const auto& [name, ta] : a) {
    const t::Tensor& tb = b.at(name);
    const bool same =
        ta.shape() == tb.shape() && std::memcmp(ta.data<float>(), tb.data<float>(), ta.numel() * sizeof(float)) == 0;
    if (!same) names.push_back(name);
  }
  return names;
}

}  // namespace

TEST(Threads, UNetAdamWStepsAreBitIdenticalFor1And2Threads) {
  const int steps = 3;
  const StateDict one = train_unet(1, steps);
  EXPECT_EQ(one.size(), 270u);  // 90 parameters, each with exp_avg and exp_avg_sq
  const std::vector<std::string> diff = differing(one, train_unet(2, steps));
  EXPECT_TRUE(diff.empty()) << diff.size() << " of " << one.size() << " tensors differ with 2 threads, first "
                            << diff.front();
}

// AdamW's update runs over threads only above 65,536 elements, which no U-Net
// parameter reaches: one large parameter, 1, 2 and 3 threads.
TEST(Threads, AdamWOnALargeParameterIsBitIdenticalFor1To3Threads) {
  std::vector<t::Tensor> results;
  const int saved = t::get_num_threads();
  for (int threads : {1, 2, 3}) {
    t::set_num_threads(threads);
    t::Generator gen(3);
    Variable p(t::randn({300001}, gen), true);
    AdamW opt({{"p", p}});
    for (int step = 0; step < 3; ++step) {
      p.set_grad(t::randn({300001}, gen));
      opt.step();
    }
    results.push_back(p.data().clone());
  }
  t::set_num_threads(saved);
  for (int k : {1, 2}) {
    EXPECT_EQ(std::memcmp(results[0].data<float>(), results[k].data<float>(), 300001 * sizeof(float)), 0)
        << k + 1 << " threads";
  }
}
