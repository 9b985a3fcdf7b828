// Helpers shared by the discrete samplers (sampling.h).
#include "diffusion/sampling.h"

#include "autograd/grad_mode.h"
#include "tensor/ops.h"

namespace diffusion {

Tensor step_label(int64_t N, int64_t t) { return tensor::full({N}, static_cast<double>(t - 1)); }

Tensor predict_eps(const EpsModel& model, const Tensor& x, int64_t t) {
  autograd::NoGradGuard no_grad;
  const Variable eps = model(Variable(x), step_label(x.size(0), t));
  TENSOR_CHECK(eps.shape() == x.shape(), "[predict_eps] the model returned {} for x {}", tensor::shape_str(eps.shape()),
               tensor::shape_str(x.shape()));
  return eps.data();
}

}  // namespace diffusion
