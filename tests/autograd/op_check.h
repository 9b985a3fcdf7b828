// Test helpers for the differentiable ops, one per op style (like tinygrad's
// helper_test_op): each checks the forward against a scalar reference and the
// backward against finite differences (autograd::gradcheck, float64), on
// contiguous inputs and on the same values laid out with other strides.
// Shared by the tests/autograd/gradcheck_*_test.cpp files; no tests here.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "autograd/gradcheck.h"
#include "autograd/ops.h"
#include "tensor/format.h"
#include "tensor/random.h"

namespace op_check {

using autograd::GradcheckOptions;
using autograd::MultiFunction;
using autograd::Variable;
using tensor::DType;
using tensor::Shape;
using tensor::Tensor;

// Float64 values uniform in [lo, hi), seeded so every run sees the same inputs.
inline Tensor uniform(const Shape& shape, double lo, double hi, uint64_t seed = 1) {
  tensor::Generator gen(seed);
  return tensor::add(tensor::mul(tensor::rand(shape, gen, DType::Float64), hi - lo), lo);
}

// Values with |x| in [lo, hi) and random signs: for ops with a kink at 0 (abs, relu).
inline Tensor away_from_zero(const Shape& shape, double lo, double hi, uint64_t seed = 1) {
  const Tensor magnitude = uniform(shape, lo, hi, seed);
  const Tensor sign = tensor::sign(uniform(shape, -1, 1, seed + 1000));
  return tensor::mul(magnitude, sign);
}

// Distinct values (a shuffled 0.1-spaced ramp) in the given shape, so that
// amax/amin and maximum/minimum have no ties within a finite-difference step.
inline Tensor distinct(const Shape& shape, uint64_t seed = 1) {
  tensor::Generator gen(seed);
  const Tensor perm = tensor::randperm(tensor::numel_of(shape), gen).to(DType::Float64);
  return tensor::mul(perm, 0.1).reshape(shape);
}

// The same values in three memory layouts. A gradcheck input may be any view
// (it perturbs the elements the view reads), so the strided kernels and the
// backward rules are exercised on each.
enum class Layout { Contiguous, Transposed, Narrowed };
inline const char* layout_name(Layout l) {
  return l == Layout::Contiguous ? "contiguous" : l == Layout::Transposed ? "transposed" : "narrowed";
}
constexpr Layout kLayouts[] = {Layout::Contiguous, Layout::Transposed, Layout::Narrowed};

inline Tensor with_layout(const Tensor& x, Layout layout) {
  if (layout == Layout::Contiguous || x.dim() == 0) return x.contiguous();
  if (layout == Layout::Transposed && x.dim() >= 2) {
    // Stored with its last two dims swapped: strides (..., 1, rows).
    const Tensor stored = x.transpose(-1, -2).contiguous();
    return stored.transpose(-1, -2);
  }
  // Narrowed (or Transposed on a 1-D tensor): a window inside a wider buffer,
  // so rows are not adjacent in memory (last dim padded by 1 before, 2 after).
  Shape wide = x.shape();
  wide.back() += 3;
  Tensor stored = tensor::full(wide, -777.0, DType::Float64);  // junk that must never be read
  stored.narrow(-1, 1, x.size(-1)).copy_(x);
  return stored.narrow(-1, 1, x.size(-1));
}

inline std::vector<Tensor> with_layout(const std::vector<Tensor>& xs, Layout layout) {
  std::vector<Tensor> out;
  for (const Tensor& x : xs) out.push_back(with_layout(x, layout));
  return out;
}

// Backward vs finite differences for f at inputs, as given.
inline void expect_gradients(const std::string& what, const MultiFunction& f, const std::vector<Tensor>& inputs,
                             const GradcheckOptions& opt = {}) {
  const autograd::GradcheckResult r = autograd::gradcheck(f, inputs, opt);
  EXPECT_TRUE(r.ok) << what << ": " << r.message;
}

// The same, with the inputs in every layout; and the forward value must not
// depend on the layout.
inline void expect_gradients_all_layouts(const std::string& what, const MultiFunction& f,
                                         const std::vector<Tensor>& inputs, const GradcheckOptions& opt = {}) {
  auto forward = [&](const std::vector<Tensor>& xs) {
    std::vector<Variable> vars(xs.begin(), xs.end());
    return f(vars).data().to_vector<double>();
  };
  const std::vector<double> expected = forward(inputs);
  for (Layout layout : kLayouts) {
    const std::vector<Tensor> xs = with_layout(inputs, layout);
    const std::string where = what + " [" + layout_name(layout) + "]";
    const std::vector<double> got = forward(xs);
    ASSERT_EQ(got.size(), expected.size()) << where;
    for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], expected[i], 1e-12) << where << " element " << i;
    expect_gradients(where, f, xs, opt);
  }
}

inline void expect_close(const std::string& what, const std::vector<double>& got, const std::vector<double>& want,
                         double rtol = 1e-12, double atol = 1e-12) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i], atol + rtol * std::abs(want[i])) << what << " element " << i;
}

using UnaryFn = std::function<Variable(const Variable&)>;
using BinaryFn = std::function<Variable(const Variable&, const Variable&)>;

// A unary op: forward equals ref(x) elementwise and backward passes gradcheck,
// on a (3, 4) input in every layout and on a 0-dim input.
inline void check_unary(const std::string& name, const UnaryFn& op, const std::function<double(double)>& ref,
                        const Tensor& x) {
  const std::vector<double> xv = x.to_vector<double>();
  std::vector<double> want(xv.size());
  for (size_t i = 0; i < xv.size(); ++i) want[i] = ref(xv[i]);
  for (Layout layout : kLayouts) {
    const Tensor xl = with_layout(x, layout);
    expect_close(name + " forward [" + layout_name(layout) + "]", op(Variable(xl)).data().to_vector<double>(), want);
  }
  const MultiFunction f = [op](const std::vector<Variable>& in) { return op(in[0]); };
  expect_gradients_all_layouts(name, f, {x});
  const Tensor one = x.flatten().narrow(0, 0, 1).reshape({});  // a 0-dim input
  expect_close(name + " forward [0-dim]", op(Variable(one)).data().to_vector<double>(), {ref(xv[0])});
  expect_gradients(name + " [0-dim]", f, {one.clone()});
}

// A binary op with broadcasting: forward equals ref(a, b) elementwise over
// the broadcast shape and backward passes gradcheck in every layout.
inline void check_binary(const std::string& name, const BinaryFn& op, const std::function<double(double, double)>& ref,
                         const Tensor& a, const Tensor& b) {
  const Shape shape = tensor::broadcast_shapes(a.shape(), b.shape(), name);
  const std::vector<double> av = a.expand(shape).to_vector<double>(), bv = b.expand(shape).to_vector<double>();
  std::vector<double> want(av.size());
  for (size_t i = 0; i < av.size(); ++i) want[i] = ref(av[i], bv[i]);
  const std::string what = name + " " + tensor::shape_str(a.shape()) + " x " + tensor::shape_str(b.shape());
  for (Layout layout : kLayouts) {
    const Variable out = op(Variable(with_layout(a, layout)), Variable(with_layout(b, layout)));
    EXPECT_EQ(out.shape(), shape) << what;
    expect_close(what + " forward [" + layout_name(layout) + "]", out.data().to_vector<double>(), want);
  }
  const MultiFunction f = [op](const std::vector<Variable>& in) { return op(in[0], in[1]); };
  expect_gradients_all_layouts(what, f, {a, b});
}

}  // namespace op_check
