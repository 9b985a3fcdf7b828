// The VE wrapper of Note [SDE network conditioning] (sde_network.h).
#include "diffusion/sde_network.h"

#include <cmath>
#include <vector>

#include "autograd/ops.h"
#include "diffusion/prediction.h"

namespace diffusion {

double ve_input_scale(double sigma) { return 1.0 / std::sqrt(1.0 + sigma * sigma); }

EpsModel sde_network_eps(const Sde& sde, EpsModel network) {
  if (sde.name() != "ve") return network;
  const Sde* ve = &sde;
  return [ve, network = std::move(network)](const Variable& x, const Tensor& label) {
    const std::vector<double> labels = label.to_vector<double>();
    std::vector<double> scale(labels.size()), time_label(labels.size());
    for (size_t i = 0; i < labels.size(); ++i) {
      scale[i] = ve_input_scale(labels[i]);  // a VE label is sigma(t) itself
      time_label[i] = 999.0 * ve->t_of_label(labels[i]);
    }
    const tensor::Shape shape = {static_cast<int64_t>(labels.size())};
    const Tensor c_in =
        per_sample(tensor::from_vector(scale, shape, tensor::DType::Float64, label.device()), x.dim(), x.dtype());
    return network(autograd::mul(x, Variable(c_in)),
                   tensor::from_vector(time_label, shape, tensor::DType::Float32, label.device()));
  };
}

}  // namespace diffusion
