#include "autograd/gradcheck.h"

#include <cmath>

#include "autograd/grad_mode.h"
#include "tensor/random.h"

namespace autograd {

namespace t = tensor;

namespace {

// Reads/writes element i (row-major over the view's shape) of a float64 tensor of any strides.
double* element(const Tensor& x, int64_t i) {
  int64_t off = 0;
  for (int64_t d = x.dim() - 1; d >= 0; --d) {
    off += (i % x.shape()[d]) * x.strides()[d];
    i /= x.shape()[d];
  }
  return x.data<double>() + off;
}

Tensor evaluate(const MultiFunction& f, const std::vector<Tensor>& inputs) {
  NoGradGuard no_grad;
  std::vector<Variable> vars;
  for (const Tensor& x : inputs) vars.emplace_back(x);
  return f(vars).data().contiguous();
}

}  // namespace

GradcheckResult gradcheck(const MultiFunction& f, const std::vector<Tensor>& inputs, const GradcheckOptions& opt) {
  for (size_t k = 0; k < inputs.size(); ++k) {
    const Tensor& x = inputs[k];
    TENSOR_CHECK(x.dtype() == DType::Float64, "[gradcheck] inputs must be float64, got {}", t::dtype_name(x.dtype()));
    // An expanded input (stride 0) reads one stored element at several
    // positions: perturbing it moves all of them, so the finite difference
    // would be the sum of their gradients, not one position's.
    for (int64_t d = 0; d < x.dim(); ++d)
      TENSOR_CHECK(x.strides()[d] != 0 || x.shape()[d] <= 1,
                   "[gradcheck] input {} of shape {} has strides {}: its elements overlap in memory; expand inside f "
                   "instead",
                   k, t::shape_str(x.shape()), t::shape_str(x.strides()));
  }

  // Numerical Jacobian, one input element at a time: jac[k][j] is an (out_numel) column.
  const Tensor y0 = evaluate(f, inputs);
  const int64_t m = y0.numel();
  std::vector<std::vector<std::vector<double>>> jac(inputs.size());
  for (size_t k = 0; k < inputs.size(); ++k) {
    const Tensor& x = inputs[k];
    jac[k].resize(x.numel());
    for (int64_t j = 0; j < x.numel(); ++j) {
      double* p = element(x, j);
      const double orig = *p;
      *p = orig + opt.eps;
      const std::vector<double> plus = evaluate(f, inputs).to_vector<double>();
      *p = orig - opt.eps;
      const std::vector<double> minus = evaluate(f, inputs).to_vector<double>();
      *p = orig;
      jac[k][j].resize(m);
      for (int64_t i = 0; i < m; ++i) jac[k][j][i] = (plus[i] - minus[i]) / (2 * opt.eps);
    }
  }

  // The directions u to test u^T J with: unit vectors, or random ones.
  std::vector<Tensor> directions;
  if (m <= opt.full_rows_up_to) {
    for (int64_t i = 0; i < m; ++i) {
      Tensor u = t::zeros({m}, DType::Float64);
      u.data<double>()[i] = 1.0;
      directions.push_back(u.view(y0.shape()));
    }
  } else {
    t::Generator gen(opt.seed);
    for (int r = 0; r < opt.random_projections; ++r) directions.push_back(t::randn(y0.shape(), gen, DType::Float64));
  }

  GradcheckResult result;
  for (size_t r = 0; r < directions.size(); ++r) {
    std::vector<Variable> vars;
    for (const Tensor& x : inputs) vars.emplace_back(x, true);
    Variable y = f(vars);
    if (!y.requires_grad()) {
      result.ok = false;
      result.message = "the output does not require grad: no input reaches it through a differentiable op";
      return result;
    }
    y.backward(directions[r]);
    const std::vector<double> u = directions[r].to_vector<double>();
    for (size_t k = 0; k < inputs.size(); ++k) {
      const Tensor g = vars[k].grad();
      const std::vector<double> analytic =
          g.defined() ? g.to_vector<double>() : std::vector<double>(inputs[k].numel(), 0.0);
      for (int64_t j = 0; j < inputs[k].numel(); ++j) {
        double numeric = 0;
        for (int64_t i = 0; i < m; ++i) numeric += u[i] * jac[k][j][i];
        const double err = std::abs(analytic[j] - numeric);
        result.max_abs_error = std::max(result.max_abs_error, err);
        if (result.ok && err > opt.atol + opt.rtol * std::abs(numeric)) {
          result.ok = false;
          result.message = fmt::format(
              "input {} element {}: backward gives {:.10g}, finite differences give {:.10g} (direction {} of {})", k,
              j, analytic[j], numeric, r, directions.size());
        }
      }
    }
  }
  return result;
}

}  // namespace autograd
