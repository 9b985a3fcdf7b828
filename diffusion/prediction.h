// What a network predicts (epsilon, x_0 or v) and the conversion of its output
// to epsilon at fixed (x_t, t) (docs/math.md (2.3), (2.4)). Samplers and the loss
// speak epsilon; this is the "prediction conversion" of docs/math.md section 6.
#pragma once
#include <string>

#include "diffusion/model.h"

namespace diffusion {

enum class Prediction { Eps, X0, V };

Prediction parse_prediction(const std::string& name);  // "eps", "x0" or "v"
std::string prediction_name(Prediction p);

// Shapes: N batch, then the data's dims. a, b are (N,) float64 kernel
// values (a KernelFn's output); they broadcast over the data's dims.
//   Eps: the output is epsilon
//   X0:  eps = (x_t - a x0_hat) / b        docs/math.md (2.3)
//   V:   eps = b x_t + a v                 docs/math.md (2.4)
// Differentiable in `output` (the training loss goes through it).
Variable eps_from_output(const Variable& output, const Variable& x_t, const Tensor& a, const Tensor& b,
                         Prediction prediction);

// An EpsModel from a network that predicts `prediction`: runs `raw` and
// converts. kernel gives (a, b) for the labels. Eps returns raw unchanged.
EpsModel eps_model_from(EpsModel raw, Prediction prediction, KernelFn kernel);

// (N,) -> (N, 1, ..., 1) with `rank` dims, in `dtype`: per-sample scalars that
// broadcast against a batch.
Tensor per_sample(const Tensor& values, int64_t rank, tensor::DType dtype);

}  // namespace diffusion
