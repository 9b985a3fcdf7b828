// Sequential: each layer's output is the next one's input.
#include "nn/layers/sequential.h"

namespace nn {

Sequential::Sequential(std::initializer_list<std::shared_ptr<Layer>> layers) {
  for (const auto& layer : layers) push_back(layer);
}

Variable Sequential::forward(const Variable& x) {
  Variable h = x;
  for (const auto& layer : layers_) h = layer->forward(h);
  return h;
}

}  // namespace nn
