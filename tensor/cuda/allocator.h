// The CUDA allocator's controls: its statistics and emptying its cache
// (Note [Caching allocator] in tensor/caching_allocator.h). Host code only,
// in a build with the CUDA backend.
#pragma once
#include "tensor/caching_allocator.h"

namespace tensor::cuda {

using MemoryStats = ::tensor::MemoryStats;
MemoryStats memory_stats();
// Returns every cached block to the device with cudaFree (not while a CUDA graph is being captured).
void empty_cache();

}  // namespace tensor::cuda
