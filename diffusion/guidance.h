// Guidance (docs/math.md section 12) as one more EpsModel: classifier-free
// guidance (12.1) mixes a conditional and an unconditional noise prediction,
// classifier guidance (12.2) adds a classifier's gradient. Every sampler
// takes the result unchanged; building the conditional predictions (a
// network's classes, the oracle's components) is the caller's part.
#pragma once
#include <cstdint>
#include <functional>

#include "diffusion/model.h"

namespace diffusion {

// Shapes: N batch, then the data's own dims; C classes.
//
// docs/math.md (12.1): eps~ = eps(x, none) + w (eps(x, c) - eps(x, none)).
// w = 1 calls only `conditional`, w = 0 only `unconditional` (each is exactly
// that model); other weights call both, one after the other (not one doubled
// batch, so a row's result does not depend on what else is in the batch).
EpsModel classifier_free_guidance(EpsModel conditional, EpsModel unconditional, double w);

// A noise-aware classifier: log p(c | x_t) for every class, (N, C), at the
// same network labels an EpsModel takes (model.h).
using ClassLogProb = std::function<Variable(const Variable& x, const Tensor& label)>;

// grad_x log p(c | x_t) for class c of every row, x's shape: one vjp of
// log_prob with the one-hot of c (runs inside no_grad too).
Tensor class_log_prob_grad(const ClassLogProb& log_prob, const Tensor& x, const Tensor& label, int64_t c);

// docs/math.md (12.2): eps~ = eps(x) - w b grad_x log p(c | x_t), with b from
// kernel(label). w = 0 is eps itself (no classifier call).
EpsModel classifier_guidance(EpsModel eps, ClassLogProb log_prob, KernelFn kernel, int64_t c, double w);

}  // namespace diffusion
