// How an op reaches its kernel. Note [Dispatch]:
// A front-end (tensor/*.cpp) checks shapes, dtypes and devices, allocates
// the output, then calls TENSOR_DISPATCH(device, kernel, args...), which
// calls cpu::kernel(args...) or cuda::kernel(args...). Kernels may assume
// valid input; every backend implements the same list (tensor/cpu/kernels.h,
// tensor/cuda/kernels.h), so a CUDA build fails to compile when a CUDA kernel
// is missing. Only front-end .cpp files include this header: the kernel lists
// never reach ops.h, tensor.h or the layers above tensor/. A build without
// CUDA compiles the CUDA branch away and reports it.
#pragma once
#include "tensor/cpu/kernels.h"
#include "tensor/error.h"

#ifdef DIFFUSE_WITH_CUDA
#include "tensor/cuda/kernels.h"
#define TENSOR_DISPATCH(device, kernel, ...) \
  do {                                       \
    if ((device) == ::tensor::Device::CUDA)  \
      ::tensor::cuda::kernel(__VA_ARGS__);   \
    else                                     \
      ::tensor::cpu::kernel(__VA_ARGS__);    \
  } while (0)
#else
#define TENSOR_DISPATCH(device, kernel, ...)                                                         \
  do {                                                                                               \
    TENSOR_CHECK((device) == ::tensor::Device::CPU, "[{}] this build has no CUDA backend", #kernel); \
    ::tensor::cpu::kernel(__VA_ARGS__);                                                              \
  } while (0)
#endif
