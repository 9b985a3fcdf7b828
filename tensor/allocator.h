// The seam between Storage and device memory: Storage asks allocator_for(its
// device) for bytes and gives them back there. The CPU allocator is in
// tensor/cpu/allocator.cpp; the CUDA one (a CachingAllocator, tensor/
// caching_allocator.h, over cudaMalloc) in tensor/cuda/allocator.cpp.
#pragma once
#include <cstddef>

#include "tensor/device.h"

namespace tensor {

class Allocator {
 public:
  virtual ~Allocator() = default;
  // nbytes may be 0 (an empty tensor): the result may then be nullptr.
  virtual void* allocate(size_t nbytes) = 0;
  // p is a pointer allocate returned for the same nbytes (or nullptr).
  virtual void deallocate(void* p, size_t nbytes) = 0;
};

// The allocator of a device; throws for CUDA in a build without it.
Allocator& allocator_for(Device device);

namespace cpu {
Allocator& allocator();
}
namespace cuda {
Allocator& allocator();  // defined only in a build with the CUDA backend
}

}  // namespace tensor
