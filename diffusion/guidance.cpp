// Classifier-free and classifier guidance (see guidance.h).
#include "diffusion/guidance.h"

#include "autograd/functional.h"
#include "autograd/ops.h"
#include "diffusion/prediction.h"
#include "tensor/ops.h"

namespace diffusion {

namespace t = tensor;
namespace ag = autograd;

EpsModel classifier_free_guidance(EpsModel conditional, EpsModel unconditional, double w) {
  TENSOR_CHECK(conditional && unconditional, "[classifier_free_guidance] needs both eps models");
  if (w == 1.0) return conditional;
  if (w == 0.0) return unconditional;
  return [conditional = std::move(conditional), unconditional = std::move(unconditional), w](const Variable& x,
                                                                                             const Tensor& label) {
    const Variable eps_c = conditional(x, label);
    const Variable eps_none = unconditional(x, label);
    return eps_none + (eps_c - eps_none) * w;  // docs/math.md (12.1)
  };
}

Tensor class_log_prob_grad(const ClassLogProb& log_prob, const Tensor& x, const Tensor& label, int64_t c) {
  auto log_p_c = [&](const Variable& x_in) {  // log p(c | x_row) for every row, (N,)
    const Variable log_p = log_prob(x_in, label);
    TENSOR_CHECK(log_p.dim() == 2 && log_p.size(0) == x.size(0) && c >= 0 && c < log_p.size(1),
                 "[classifier_guidance] the classifier gives {} for {} rows; class {} is not one of its columns",
                 t::shape_str(log_p.shape()), x.size(0), c);
    return ag::select(log_p, 1, c);
  };
  // Rows are independent, so v^T J with v = (1, ..., 1) is each row's own gradient.
  return ag::vjp(log_p_c, x, t::ones({x.size(0)}, x.dtype(), x.device())).second;
}

EpsModel classifier_guidance(EpsModel eps, ClassLogProb log_prob, KernelFn kernel, int64_t c, double w) {
  TENSOR_CHECK(eps && log_prob && kernel, "[classifier_guidance] needs an eps model, a classifier and a kernel");
  if (w == 0.0) return eps;
  return [eps = std::move(eps), log_prob = std::move(log_prob), kernel = std::move(kernel), c, w](const Variable& x,
                                                                                                  const Tensor& label) {
    const Tensor grad = class_log_prob_grad(log_prob, x.data(), label, c);
    const Tensor b = per_sample(kernel(label).second, x.dim(), x.dtype());
    return eps(x, label) - Variable(b * grad * w);  // docs/math.md (12.2)
  };
}

}  // namespace diffusion
