// The backward pass with a callback for each leaf whose gradient is final
// (engine.cpp): what lets a caller send a parameter's gradient before the rest
// of backward has run (Note [Gradient buckets] in diffusion/data_parallel.cpp).
// The plain pass is Variable::backward (variable.h).
#pragma once
#include <functional>

#include "autograd/variable.h"

namespace autograd {

// Called by backward() once for each leaf that receives a gradient, right after
// its last contribution has been added to leaf.grad() (so grad() is final for
// this backward call), while the rest of the graph is still being processed.
// Leaves fire in the engine's order: the reverse of the depth-first post-order
// from the root. For ops that list their data input before their weights
// (matmul(x, W), then + b; conv2d(x, w, b)), that is the reverse of the order in
// which the forward pass used them: the last layer's parameters first. Leaves
// no gradient reaches do not fire.
using LeafGradReady = std::function<void(const Variable& leaf)>;

// root.backward(grad, retain_graph), calling on_leaf_grad_ready as above.
void backward(const Variable& root, const LeafGradReady& on_leaf_grad_ready, const Tensor& grad = Tensor(),
              bool retain_graph = false);

}  // namespace autograd
