// Gradchecks for the views (reshape, permute, transpose, narrow, select,
// expand, squeeze, unsqueeze, contiguous) and joins (cat, stack,
// index_select with repeated indices). Each view is followed by a product
// with fixed weights so that every output position has its own gradient
// (a bare sum would give every element the same one and hide a misplaced value).
#include "tests/autograd/op_check.h"

using namespace op_check;
namespace ag = autograd;
namespace t = tensor;

namespace {

// f(x) = view(x) * weights: distinct weights make each element's gradient distinct.
MultiFunction weighted(std::function<Variable(const Variable&)> view) {
  return [view](const std::vector<Variable>& in) {
    const Variable v = view(in[0]);
    const Variable weights(t::add(t::arange(0, static_cast<double>(v.numel()), 1, DType::Float64), 1.0).reshape(v.shape()));
    return v * weights;
  };
}

void check_view(const std::string& name, std::function<Variable(const Variable&)> view, const Tensor& x) {
  expect_gradients_all_layouts(name, weighted(std::move(view)), {x});
}

}  // namespace

TEST(GradcheckViews, ReshapeSqueezeUnsqueezeContiguous) {
  const Tensor x = uniform({2, 3, 4}, -1, 1);
  check_view("reshape (6, 4)", [](auto& v) { return ag::reshape(v, {6, 4}); }, x);
  check_view("reshape (4, -1)", [](auto& v) { return ag::reshape(v, {4, -1}); }, x);
  check_view("reshape to 1-D", [](auto& v) { return ag::reshape(v, {24}); }, x);
  check_view("unsqueeze 1", [](auto& v) { return ag::unsqueeze(v, 1); }, x);
  check_view("unsqueeze -1 then squeeze -1", [](auto& v) { return ag::squeeze(ag::unsqueeze(v, -1), -1); }, x);
  check_view("squeeze 0", [](auto& v) { return ag::squeeze(v, 0); }, uniform({1, 3, 4}, -1, 1));
  check_view("contiguous of transpose", [](auto& v) { return ag::contiguous(ag::transpose(v, 0, 2)); }, x);
}

TEST(GradcheckViews, PermuteAndTranspose) {
  const Tensor x = uniform({2, 3, 4}, -1, 1);
  check_view("permute (2, 0, 1)", [](auto& v) { return ag::permute(v, {2, 0, 1}); }, x);
  check_view("permute (-1, 1, 0)", [](auto& v) { return ag::permute(v, {-1, 1, 0}); }, x);
  check_view("transpose 0 1", [](auto& v) { return ag::transpose(v, 0, 1); }, x);
  check_view("transpose -1 -3", [](auto& v) { return ag::transpose(v, -1, -3); }, x);
  check_view("permute then reshape (a copy)", [](auto& v) { return ag::reshape(ag::permute(v, {1, 0, 2}), {3, 8}); },
             x);
}

TEST(GradcheckViews, NarrowAndSelect) {
  const Tensor x = uniform({3, 5, 4}, -1, 1);
  check_view("narrow 1 [1, 4)", [](auto& v) { return ag::narrow(v, 1, 1, 3); }, x);
  check_view("narrow -1 from -2", [](auto& v) { return ag::narrow(v, -1, -2, 2); }, x);
  check_view("narrow twice", [](auto& v) { return ag::narrow(ag::narrow(v, 0, 1, 2), 2, 0, 3); }, x);
  check_view("select 0 2", [](auto& v) { return ag::select(v, 0, 2); }, x);
  check_view("select 1 -1", [](auto& v) { return ag::select(v, 1, -1); }, x);
  check_view("select then select", [](auto& v) { return ag::select(ag::select(v, 2, 3), 0, 1); }, x);
}

TEST(GradcheckViews, ExpandSumsOverRepeatedDims) {
  check_view("expand (3, 1) -> (3, 4)", [](auto& v) { return ag::expand(v, {3, 4}); }, uniform({3, 1}, -1, 1));
  check_view("expand (4,) -> (2, 3, 4)", [](auto& v) { return ag::expand(v, {2, 3, 4}); }, uniform({4}, -1, 1));
  check_view("expand (1, 3, 1) -> (2, 3, 5), -1 kept", [](auto& v) { return ag::expand(v, {2, -1, 5}); },
             uniform({1, 3, 1}, -1, 1));
  check_view("expand 0-dim -> (2, 2)", [](auto& v) { return ag::expand(v, {2, 2}); }, uniform({}, -1, 1));
}

TEST(GradcheckViews, GradcheckRejectsAnExpandedInput) {
  // Perturbing the one stored element of an expanded input moves every
  // position that reads it; gradcheck must refuse rather than report nonsense.
  const MultiFunction f = [](const std::vector<Variable>& in) { return in[0] * 2.0; };
  EXPECT_THROW(autograd::gradcheck(f, {uniform({3, 1}, -1, 1).expand({3, 4})}), t::Error);
}

TEST(GradcheckJoins, CatAlongEachDim) {
  const Tensor a = uniform({2, 3}, -1, 1, 1), b = uniform({2, 3}, -1, 1, 2), c = uniform({1, 3}, -1, 1, 3);
  const MultiFunction cat0 = [](const std::vector<Variable>& in) {
    const Variable out = ag::cat({in[0], in[1], in[2]}, 0);
    return out * out;
  };
  expect_gradients_all_layouts("cat dim 0 of (2,3) (2,3) (1,3)", cat0, {a, b, c});
  const MultiFunction cat1 = [](const std::vector<Variable>& in) {
    return ag::cat({in[0], in[1]}, -1) * ag::cat({in[1], in[0]}, 1);
  };
  expect_gradients_all_layouts("cat dim -1, used twice", cat1, {a, uniform({2, 4}, -1, 1, 4)});
}

TEST(GradcheckJoins, CatWhereOnlySomeInputsRequireGrad) {
  const Tensor fixed = uniform({2, 3}, -1, 1, 5);
  const MultiFunction f = [fixed](const std::vector<Variable>& in) {
    const Variable out = ag::cat({Variable(fixed), in[0]}, 0);
    return out * out;
  };
  expect_gradients("cat with a constant", f, {uniform({1, 3}, -1, 1, 6)});
}

TEST(GradcheckJoins, Stack) {
  const Tensor a = uniform({2, 3}, -1, 1, 1), b = uniform({2, 3}, -1, 1, 2);
  for (int64_t dim : {0, 1, 2, -1}) {
    const MultiFunction f = [dim](const std::vector<Variable>& in) {
      const Variable s = ag::stack({in[0], in[1], in[0]}, dim);
      return s * s;
    };
    expect_gradients_all_layouts("stack dim " + std::to_string(dim), f, {a, b});
  }
  EXPECT_EQ(ag::stack({Variable(a), Variable(b)}, 1).shape(), (Shape{2, 2, 3}));
}

TEST(GradcheckJoins, IndexSelectWithRepeatedIndices) {
  const Tensor x = uniform({4, 3}, -1, 1);
  const Tensor rows = t::from_vector(std::vector<int64_t>{2, 0, 2, 2, 3}, {5});
  const Tensor cols = t::from_vector(std::vector<int64_t>{1, 1, 0}, {3});
  // Forward: row i of the result is row rows[i] of x.
  const Tensor picked = ag::index_select(Variable(x), 0, rows).data();
  const std::vector<int64_t> r = rows.to_vector<int64_t>();
  for (int64_t i = 0; i < 5; ++i)
    EXPECT_EQ(picked.select(0, i).to_vector<double>(), x.select(0, r[i]).to_vector<double>());
  check_view("index_select dim 0 repeated", [rows](auto& v) { return ag::index_select(v, 0, rows); }, x);
  check_view("index_select dim -1 repeated", [cols](auto& v) { return ag::index_select(v, -1, cols); }, x);
  check_view("index_select middle dim", [cols](auto& v) { return ag::index_select(v, 1, cols); },
             uniform({2, 3, 2}, -1, 1));
  // With weights 1, the gradient of a row counts how often it was picked.
  ag::Variable leaf(x, true);
  ag::sum(ag::index_select(leaf, 0, rows)).backward();
  EXPECT_EQ(t::sum(leaf.grad(), {1}).to_vector<double>(), (std::vector<double>{3, 0, 9, 3}));
}
