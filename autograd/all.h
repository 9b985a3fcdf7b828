// The whole autograd layer in one include (installed as <diffuse/autograd.h>):
// Variable, the differentiable ops, grad mode, vjp and gradcheck.
// Include the single headers instead where compile time matters.
#pragma once
#include "autograd/functional.h"
#include "autograd/grad_mode.h"
#include "autograd/gradcheck.h"
#include "autograd/ops.h"
#include "autograd/variable.h"
#include "tensor/all.h"
