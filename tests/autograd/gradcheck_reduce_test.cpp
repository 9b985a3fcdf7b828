// Gradchecks for the reductions (sum, mean, amax, amin, var, logsumexp) over
// several dim sets with and without keepdim, and for softmax/log_softmax on
// dims 0 and -1. Forward values are checked in tests/tensor (closed forms and
// PyTorch fixtures); here the point is the backward rules.
#include <cmath>

#include "tests/autograd/op_check.h"

using namespace op_check;
namespace ag = autograd;
namespace t = tensor;

namespace {

using ReduceFn = std::function<Variable(const Variable&, const std::vector<int64_t>&, bool)>;

// The dim sets every reduction runs over a (2, 3, 4) input: all dims ({}),
// one dim, a negative dim, two non-adjacent dims, and every dim named.
const std::vector<std::vector<int64_t>> kDimSets = {{}, {0}, {1}, {-1}, {0, 2}, {2, 0, 1}};

void check_reduction(const std::string& name, const ReduceFn& op, const Tensor& x) {
  for (const auto& dims : kDimSets)
    for (bool keepdim : {false, true}) {
      const MultiFunction f = [op, dims, keepdim](const std::vector<Variable>& in) { return op(in[0], dims, keepdim); };
      const std::string what = name + " dims " + t::shape_str(dims) + (keepdim ? " keepdim" : "");
      expect_gradients_all_layouts(what, f, {x});
    }
}

}  // namespace

TEST(GradcheckReduce, Sum) {
  check_reduction("sum", [](auto& x, auto& d, bool k) { return ag::sum(x, d, k); }, uniform({2, 3, 4}, -1, 1));
}
TEST(GradcheckReduce, Mean) {
  check_reduction("mean", [](auto& x, auto& d, bool k) { return ag::mean(x, d, k); }, uniform({2, 3, 4}, -1, 1));
}
TEST(GradcheckReduce, AmaxWithDistinctValues) {
  check_reduction("amax", [](auto& x, auto& d, bool k) { return ag::amax(x, d, k); }, distinct({2, 3, 4}));
}
TEST(GradcheckReduce, AminWithDistinctValues) {
  check_reduction("amin", [](auto& x, auto& d, bool k) { return ag::amin(x, d, k); }, distinct({2, 3, 4}, 2));
}
TEST(GradcheckReduce, Var) {
  check_reduction("var", [](auto& x, auto& d, bool k) { return ag::var(x, d, k); }, uniform({2, 3, 4}, -1, 1));
  const MultiFunction population = [](const std::vector<Variable>& in) { return ag::var(in[0], {1}, false, 0); };
  expect_gradients_all_layouts("var correction 0", population, {uniform({2, 3, 4}, -1, 1)});
}
TEST(GradcheckReduce, Logsumexp) {
  check_reduction("logsumexp", [](auto& x, auto& d, bool k) { return ag::logsumexp(x, d, k); },
                  uniform({2, 3, 4}, -3, 3));
}

TEST(GradcheckReduce, ReductionsOfA0DimTensor) {
  // A 0-dim tensor reduces to itself; dim 0 and -1 name its one "dim" (as in PyTorch).
  const Tensor x = uniform({}, -1, 1);
  for (const std::vector<int64_t>& dims : {std::vector<int64_t>{}, {0}, {-1}}) {
    const MultiFunction f = [dims](const std::vector<Variable>& in) {
      return ag::sum(in[0], dims) + ag::mean(in[0], dims, true) * 2.0 + ag::amax(in[0], dims);
    };
    expect_gradients("0-dim reductions over " + t::shape_str(dims), f, {x});
  }
}

TEST(GradcheckReduce, AmaxTiesShareTheGradient) {
  ag::Variable x(t::from_list({1.0, 3.0, 3.0, 2.0}, DType::Float64), true);
  ag::amax(x).backward();
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{0, 0.5, 0.5, 0}));
}

TEST(GradcheckReduce, LogsumexpValueIsStableForLargeInputs) {
  // Without the max shift exp(1000) overflows to inf.
  const Variable y = ag::logsumexp(Variable(t::from_list({1000.0, 1000.0}, DType::Float64)), {0});
  EXPECT_NEAR(y.item(), 1000.0 + std::log(2.0), 1e-9);
}

TEST(GradcheckSoftmax, SoftmaxAndLogSoftmaxOnDims0AndLast) {
  const Tensor x = uniform({3, 4}, -3, 3);
  for (int64_t dim : {0, 1, -1}) {
    const MultiFunction s = [dim](const std::vector<Variable>& in) { return ag::softmax(in[0], dim); };
    expect_gradients_all_layouts("softmax dim " + std::to_string(dim), s, {x});
    const MultiFunction ls = [dim](const std::vector<Variable>& in) { return ag::log_softmax(in[0], dim); };
    expect_gradients_all_layouts("log_softmax dim " + std::to_string(dim), ls, {x});
  }
  // A 3-D input, middle dim (the kernel moves it last and back).
  const Tensor x3 = uniform({2, 3, 4}, -3, 3, 5);
  const MultiFunction mid = [](const std::vector<Variable>& in) { return ag::softmax(in[0], 1) * in[0]; };
  expect_gradients_all_layouts("softmax dim 1 of 3-D, times x", mid, {x3});
  const MultiFunction lmid = [](const std::vector<Variable>& in) { return ag::log_softmax(in[0], -2); };
  expect_gradients_all_layouts("log_softmax dim -2 of 3-D", lmid, {x3});
}

TEST(GradcheckSoftmax, RowsSumToOneAndLogMatches) {
  const Tensor x = uniform({3, 5}, -3, 3);
  const Tensor s = ag::softmax(Variable(x), -1).data();
  const std::vector<double> row_sums = t::sum(s, {-1}).to_vector<double>();
  for (double r : row_sums) EXPECT_NEAR(r, 1.0, 1e-12);
  expect_close("log_softmax = log(softmax)", ag::log_softmax(Variable(x), -1).data().to_vector<double>(),
               t::log(s).to_vector<double>(), 1e-12, 1e-12);
}
