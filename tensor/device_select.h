// Which GPU this process uses, for one GPU per MPI rank (docs/distributed.md).
// Defined by tensor/cuda/runtime.cpp in a CUDA build and by tensor/device.cpp
// otherwise, beside the rest of the device runtime (device.h).
#pragma once

namespace tensor {

// How many CUDA devices this process sees: 0 without the backend or a GPU.
int cuda_device_count();
// Makes GPU `index` (0 .. cuda_device_count() - 1) the one this process's CUDA
// tensors live on. Call it before the first CUDA tensor, since the stream and
// the memory belong to the device current at first use; afterwards only the
// same index is accepted. Throws for an index out of range (so always in a
// build without CUDA or on a machine without a GPU).
void cuda_select_device(int index);

}  // namespace tensor
