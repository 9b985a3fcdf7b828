// SGD (see sgd.h), written with tensor ops: clarity over speed here.
#include "nn/optim/sgd.h"

#include "tensor/ops.h"

namespace nn {

SGD::SGD(std::vector<NamedParameter> params, const SGDOptions& options)
    : Optimizer(std::move(params), options.lr, {"momentum_buffer"}), options_(options) {
  TENSOR_CHECK(!options.nesterov || (options.momentum > 0 && options.dampening == 0),
               "[SGD] nesterov needs momentum > 0 and dampening 0 (momentum {}, dampening {})", options.momentum,
               options.dampening);
}

void SGD::update(Tensor& p, const Tensor& g, std::vector<Tensor>& state) {
  Tensor d = g;
  if (options_.weight_decay != 0) d = tensor::add(d, tensor::mul(p, options_.weight_decay));
  if (options_.momentum != 0) {
    Tensor& buf = state[0];
    if (step_count() == 1) {
      buf.copy_(d);
    } else {
      tensor::mul_(buf, options_.momentum);
      tensor::add_scaled_(buf, d, 1.0 - options_.dampening);
    }
    d = options_.nesterov ? tensor::add(d, tensor::mul(buf, options_.momentum)) : buf;
  }
  tensor::add_scaled_(p, d, -lr_);
}

}  // namespace nn
