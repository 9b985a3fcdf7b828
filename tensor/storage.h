// Storage: one allocation of bytes on one device, shared (by shared_ptr) by
// every tensor that views it. A view changes shape/strides/offset, never the
// storage, which is why views cost nothing and writes through a view are seen
// by the base.
#pragma once
#include <cstddef>
#include <memory>

#include "tensor/device.h"

namespace tensor {

class Storage {
 public:
  Storage(size_t nbytes, Device device);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }

 private:
  void* data_ = nullptr;
  size_t nbytes_ = 0;
  Device device_;
};

}  // namespace tensor
