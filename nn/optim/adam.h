// Adam and AdamW, PyTorch's rules (torch.optim.Adam / AdamW, single-tensor
// path). With m, v the first and second moment buffers and k the step count:
//   AdamW: p *= 1 - lr * weight_decay                 (decoupled decay)
//   Adam:  g += weight_decay * p                       (L2 in the gradient)
//   m = beta1 m + (1 - beta1) g;   v = beta2 v + (1 - beta2) g^2
//   p -= lr / (1 - beta1^k) * m / (sqrt(v) / sqrt(1 - beta2^k) + eps)
#pragma once
#include "nn/optim/optimizer.h"

namespace nn {

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;  // AdamW's default is 0.01 (see AdamW below)
  bool decoupled = false;     // true: AdamW's decay; false: Adam's L2 term
};

class Adam : public Optimizer {
 public:
  Adam(std::vector<NamedParameter> params, const AdamOptions& options = {});
  const AdamOptions& options() const { return options_; }

 protected:
  void update(Tensor& p, const Tensor& g, std::vector<Tensor>& state) override;

 private:
  AdamOptions options_;
};

// AdamW: Adam with decoupled weight decay, default weight_decay 0.01 like PyTorch.
struct AdamWOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 1e-2;
};

class AdamW : public Adam {
 public:
  AdamW(std::vector<NamedParameter> params, const AdamWOptions& options = {});
};

}  // namespace nn
