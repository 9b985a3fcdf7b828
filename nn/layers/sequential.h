// Sequential: layers applied in order, registered as children "0", "1", ...
// so parameter names match PyTorch's nn.Sequential ("net.2.weight").
#pragma once
#include <initializer_list>
#include <memory>

#include "nn/module.h"

namespace nn {

class Sequential : public Layer {
 public:
  Sequential() = default;
  Sequential(std::initializer_list<std::shared_ptr<Layer>> layers);
  // Appends a layer under the next index and returns it.
  template <typename L>
  std::shared_ptr<L> push_back(std::shared_ptr<L> layer) {
    layers_.push_back(layer);
    return register_module(std::to_string(layers_.size() - 1), layer);
  }
  Variable forward(const Variable& x) override;
  size_t size() const { return layers_.size(); }
  const std::shared_ptr<Layer>& operator[](size_t i) const { return layers_.at(i); }

 private:
  std::vector<std::shared_ptr<Layer>> layers_;
};

}  // namespace nn
