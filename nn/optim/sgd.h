// SGD with momentum, PyTorch's rule (torch.optim.SGD):
//   d = g + weight_decay * p
//   buf = d on the first step, else momentum * buf + (1 - dampening) * d
//   d = nesterov ? d + momentum * buf : buf        (when momentum != 0)
//   p -= lr * d
#pragma once
#include "nn/optim/optimizer.h"

namespace nn {

struct SGDOptions {
  double lr = 1e-2;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;
};

class SGD : public Optimizer {
 public:
  SGD(std::vector<NamedParameter> params, const SGDOptions& options = {});

 protected:
  void update(Tensor& p, const Tensor& g, std::vector<Tensor>& state) override;

 private:
  SGDOptions options_;
};

}  // namespace nn
