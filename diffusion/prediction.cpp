// Prediction conversions (docs/math.md (2.3), (2.4)), written with autograd ops so
// the training loss can differentiate through them.
#include "diffusion/prediction.h"

#include "autograd/ops.h"

namespace diffusion {

namespace t = tensor;

Prediction parse_prediction(const std::string& name) {
  if (name == "eps") return Prediction::Eps;
  if (name == "x0") return Prediction::X0;
  if (name == "v") return Prediction::V;
  throw t::Error(fmt::format("[parse_prediction] unknown prediction '{}' (expected eps, x0 or v)", name));
}

std::string prediction_name(Prediction p) {
  switch (p) {
    case Prediction::Eps: return "eps";
    case Prediction::X0: return "x0";
    case Prediction::V: return "v";
  }
  return "?";
}

Tensor per_sample(const Tensor& values, int64_t rank, t::DType dtype) {
  TENSOR_CHECK(values.dim() == 1, "[per_sample] expects (N,), got {}", t::shape_str(values.shape()));
  t::Shape shape(rank, 1);
  shape[0] = values.size(0);
  return values.to(dtype).reshape(shape);
}

Variable eps_from_output(const Variable& output, const Variable& x_t, const Tensor& a, const Tensor& b,
                         Prediction prediction) {
  TENSOR_CHECK(output.shape() == x_t.shape(), "[eps_from_output] output {} and x_t {} differ in shape",
               t::shape_str(output.shape()), t::shape_str(x_t.shape()));
  const Variable a_n(per_sample(a, x_t.dim(), x_t.dtype()));
  const Variable b_n(per_sample(b, x_t.dim(), x_t.dtype()));
  switch (prediction) {
    case Prediction::Eps: return output;
    case Prediction::X0: return (x_t - a_n * output) / b_n;  // docs/math.md (2.3)
    case Prediction::V: return b_n * x_t + a_n * output;     // docs/math.md (2.4)
  }
  return output;
}

EpsModel eps_model_from(EpsModel raw, Prediction prediction, KernelFn kernel) {
  if (prediction == Prediction::Eps) return raw;
  return [raw = std::move(raw), prediction, kernel = std::move(kernel)](const Variable& x, const Tensor& label) {
    auto [a, b] = kernel(label);
    return eps_from_output(raw(x, label), x, a, b, prediction);
  };
}

}  // namespace diffusion
