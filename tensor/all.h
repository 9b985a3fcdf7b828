// The whole tensor layer in one include (installed as <diffuse/tensor.h>):
// Tensor and its views, the op front-ends, random numbers, printing.
// Include the single headers instead where compile time matters.
#pragma once
#include "tensor/build_info.h"
#include "tensor/device.h"
#include "tensor/dtype.h"
#include "tensor/error.h"
#include "tensor/format.h"
#include "tensor/ops.h"
#include "tensor/random.h"
#include "tensor/tensor.h"
