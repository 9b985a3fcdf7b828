// gradcheck: compares the gradients that backward() computes with central
// finite differences, in float64. For f: inputs -> output, it builds the
// numerical Jacobian column by column ((f(x + h e_j) - f(x - h e_j)) / 2h)
// and compares rows of it with the vector-Jacobian products of backward():
// every row when the output is small, else random projections u^T J.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "autograd/variable.h"

namespace autograd {

struct GradcheckOptions {
  double eps = 1e-6;   // finite-difference step
  double atol = 1e-5;  // pass when |analytic - numeric| <= atol + rtol * |numeric|
  double rtol = 1e-4;
  int64_t full_rows_up_to = 64;  // outputs with at most this many elements: check every row
  int random_projections = 4;    // otherwise: this many random u^T J
  uint64_t seed = 0;
};

struct GradcheckResult {
  bool ok = true;
  std::string message;  // where it failed, with both values
  double max_abs_error = 0;
};

using MultiFunction = std::function<Variable(const std::vector<Variable>&)>;

// inputs must be float64; each becomes a leaf requiring grad. Inputs may be
// non-contiguous views (the check perturbs the elements they view), but not
// expanded ones whose elements overlap (stride 0): expand inside f instead.
GradcheckResult gradcheck(const MultiFunction& f, const std::vector<Tensor>& inputs, const GradcheckOptions& opt = {});

}  // namespace autograd
