// Tensor: a view of a Storage, described by shape, strides (in elements),
// offset (in elements), dtype and device. Copying a Tensor copies the handle,
// not the data (like a shared_ptr). The methods here are the views (which
// never copy) and a few accessors; the numeric ops are free functions in
// ops.h. This layer knows nothing of autograd (see autograd/variable.h).
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "tensor/device.h"
#include "tensor/dtype.h"
#include "tensor/shape.h"
#include "tensor/storage.h"

namespace tensor {

class Tensor {
 public:
  Tensor() = default;  // undefined: no storage
  Tensor(std::shared_ptr<Storage> storage, Shape shape, Shape strides, int64_t offset, DType dtype);
  // A new, uninitialized, contiguous tensor.
  static Tensor empty(const Shape& shape, DType dtype = DType::Float32, Device device = Device::CPU);

  bool defined() const { return storage_ != nullptr; }
  const Shape& shape() const { return shape_; }
  const Shape& strides() const { return strides_; }
  int64_t offset() const { return offset_; }
  DType dtype() const { return dtype_; }
  Device device() const { return storage_->device(); }
  int64_t dim() const { return static_cast<int64_t>(shape_.size()); }
  int64_t size(int64_t d) const;
  int64_t numel() const { return numel_of(shape_); }
  bool is_contiguous() const;
  const std::shared_ptr<Storage>& storage() const { return storage_; }
  // Two tensors share bytes when they view the same storage.
  bool shares_storage(const Tensor& other) const { return storage_ == other.storage_; }

  // Pointer to the first element (storage + offset), for code that reads or
  // writes it on the host: the tensor must be on the CPU and T match dtype.
  // (Kernels of other devices use raw_data(), which does not check.)
  template <typename T>
  T* data() const {
    TENSOR_CHECK(device() == Device::CPU, "[data] tensor is on {}; copy it to the CPU with .to(Device::CPU)",
                 device_name(device()));
    TENSOR_CHECK(dtype_of<T>() == dtype_, "[data] tensor has dtype {}, asked for {}", dtype_name(dtype_),
                 dtype_name(dtype_of<T>()));
    return static_cast<T*>(storage_->data()) + offset_;
  }
  void* raw_data() const { return static_cast<char*>(storage_->data()) + offset_ * dtype_size(dtype_); }

  // The value of a one-element tensor, converted to double.
  double item() const;
  // All values, in row-major order, converted to T (copies).
  template <typename T>
  std::vector<T> to_vector() const;

  // ---- Views: share storage, never copy. ----
  // reshape returns a view when the strides allow it, else a contiguous copy;
  // view() insists on a view and throws otherwise. One dim may be -1.
  Tensor reshape(const Shape& shape) const;
  Tensor view(const Shape& shape) const;
  Tensor flatten() const { return reshape({numel()}); }
  Tensor permute(const std::vector<int64_t>& order) const;
  Tensor transpose(int64_t d0, int64_t d1) const;
  Tensor t() const { return transpose(-2, -1); }  // swap the last two dims
  // narrow(dim, start, length): elements start..start+length-1 along dim.
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  // select(dim, i): index i along dim, dropping that dim.
  Tensor select(int64_t dim, int64_t index) const;
  // expand: size-1 dims (and new leading dims) repeat by stride 0; -1 keeps a size.
  Tensor expand(const Shape& shape) const;
  Tensor squeeze(int64_t dim) const;
  Tensor unsqueeze(int64_t dim) const;

  // ---- Copies ----
  Tensor contiguous() const;  // this, if already contiguous
  Tensor clone() const;       // always a fresh contiguous copy
  Tensor to(DType dtype) const;
  Tensor to(Device device) const;
  // Copies src into this tensor (same shape after broadcasting src; any dtypes;
  // any devices: Note [Copies across devices] in tensor.cpp).
  Tensor& copy_(const Tensor& src);
  Tensor& fill_(double value);

 private:
  std::shared_ptr<Storage> storage_;
  Shape shape_;
  Shape strides_;
  int64_t offset_ = 0;
  DType dtype_ = DType::Float32;
};

// Checks that all tensors are defined, on one device and of one dtype; names op.
void check_same_dtype_device(std::string_view op, const Tensor& a, const Tensor& b);

// For ops that write into an existing tensor (add_, copy_, ...):
// check_writable throws, naming op, when dst is an expanded view (several of
// its elements are one memory location, so writes would collide);
// unaliased returns src, or a copy of it when it views dst's storage in a
// different layout (x += x.t()): an elementwise loop would otherwise read
// elements it has already overwritten.
void check_writable(std::string_view op, const Tensor& dst);
Tensor unaliased(const Tensor& src, const Tensor& dst);

}  // namespace tensor
