// Adam/AdamW as one pass over each parameter's elements. The arithmetic is
// done in the parameter's dtype in PyTorch's order (each scalar rounded to
// that dtype first), so float32 runs track PyTorch to rounding.
#include "nn/optim/adam.h"

#include <cmath>

namespace nn {

namespace {
template <typename T>
void adam_kernel(T* p, const T* g, T* m, T* v, int64_t n, const AdamOptions& o, double lr, int64_t step) {
  const double bias_correction1 = 1.0 - std::pow(o.beta1, static_cast<double>(step));
  const double bias_correction2 = 1.0 - std::pow(o.beta2, static_cast<double>(step));
  const T decay = static_cast<T>(1.0 - lr * o.weight_decay);
  const T wd = static_cast<T>(o.weight_decay);
  const T beta1 = static_cast<T>(o.beta1), one_minus_beta1 = static_cast<T>(1.0 - o.beta1);
  const T beta2 = static_cast<T>(o.beta2), one_minus_beta2 = static_cast<T>(1.0 - o.beta2);
  const T neg_step_size = static_cast<T>(-(lr / bias_correction1));
  const T bc2_sqrt = static_cast<T>(std::sqrt(bias_correction2));
  const T eps = static_cast<T>(o.eps);
#pragma omp parallel for simd if (n > 65536)
  for (int64_t i = 0; i < n; ++i) {
    T grad = g[i];
    if (o.decoupled)
      p[i] = p[i] * decay;
    else if (o.weight_decay != 0)
      grad = grad + wd * p[i];
    m[i] = m[i] * beta1 + one_minus_beta1 * grad;
    v[i] = v[i] * beta2 + one_minus_beta2 * grad * grad;
    const T denom = std::sqrt(v[i]) / bc2_sqrt + eps;
    p[i] = p[i] + neg_step_size * (m[i] / denom);
  }
}
}  // namespace

Adam::Adam(std::vector<NamedParameter> params, const AdamOptions& options)
    : Optimizer(std::move(params), options.lr, {"exp_avg", "exp_avg_sq"}), options_(options) {
  TENSOR_CHECK(options.beta1 >= 0 && options.beta1 < 1 && options.beta2 >= 0 && options.beta2 < 1 && options.eps >= 0,
               "[Adam] bad hyperparameters: beta1 {} beta2 {} eps {}", options.beta1, options.beta2, options.eps);
}

void Adam::update(Tensor& p, const Tensor& g, std::vector<Tensor>& state) {
  tensor::dispatch_float(p.dtype(), "Adam", [&](auto tag) {
    using T = typename decltype(tag)::type;
    adam_kernel<T>(p.data<T>(), g.data<T>(), state[0].data<T>(), state[1].data<T>(), p.numel(), options_, lr_,
                   step_count());
  });
}

AdamW::AdamW(std::vector<NamedParameter> params, const AdamWOptions& o)
    : Adam(std::move(params), AdamOptions{o.lr, o.beta1, o.beta2, o.eps, o.weight_decay, /*decoupled=*/true}) {}

}  // namespace nn
