// The dtype switch of the .cu files of the heavy kernels (conv, group_norm,
// index, adam); launch shapes and error checks come from launch.h.
#pragma once
#include "tensor/cuda/launch.h"

namespace tensor::cuda {

// Calls f(T{}) with T = float or double for a floating ScalarType.
template <typename F>
void dispatch_floating(ScalarType dtype, F&& f) {
  if (dtype == ScalarType::Float64)
    f(double{});
  else
    f(float{});
}

}  // namespace tensor::cuda
