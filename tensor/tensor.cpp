#include "tensor/tensor.h"

#include <algorithm>
#include <numeric>

#include "tensor/allocation_budget.h"
#include "tensor/dispatch.h"

namespace tensor {

Tensor::Tensor(std::shared_ptr<Storage> storage, Shape shape, Shape strides, int64_t offset, DType dtype)
    : storage_(std::move(storage)),
      shape_(std::move(shape)),
      strides_(std::move(strides)),
      offset_(offset),
      dtype_(dtype) {
  TENSOR_ASSERT(shape_.size() == strides_.size());
}

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) {
  for (int64_t s : shape) TENSOR_CHECK(s >= 0, "[empty] negative size in shape {}", shape_str(shape));
  // Kernels compute byte strides (stride x dtype size), so the sizes' product
  // in bytes must fit even where a zero size makes the tensor empty.
  Shape span = shape;
  for (int64_t& s : span) s = std::max<int64_t>(s, 1);
  int64_t span_bytes = 0;
  TENSOR_CHECK(!__builtin_mul_overflow(numel_of(span), static_cast<int64_t>(dtype_size(dtype)), &span_bytes),
               "[empty] shape {} of {} needs more than 2^63 - 1 bytes", shape_str(shape), dtype_name(dtype));
  const int64_t nbytes = numel_of(shape) * static_cast<int64_t>(dtype_size(dtype));
  ScopedAllocationBudget::charge(nbytes);  // Note [Allocation budget]
  auto storage = std::make_shared<Storage>(static_cast<size_t>(nbytes), device);
  return Tensor(std::move(storage), shape, contiguous_strides(shape), 0, dtype);
}

int64_t Tensor::size(int64_t d) const {
  TENSOR_CHECK(dim() > 0, "[size] a 0-dim tensor has no dim {}", d);
  return shape_[normalize_dim(d, dim(), "size")];
}

bool Tensor::is_contiguous() const {
  int64_t expected = 1;
  for (size_t i = shape_.size(); i-- > 0;) {
    if (shape_[i] == 1) continue;  // the stride of a size-1 dim never matters
    if (strides_[i] != expected) return false;
    expected *= shape_[i];
  }
  return true;
}

double Tensor::item() const {
  TENSOR_CHECK(numel() == 1, "[item] expects a tensor with one element, got shape {}", shape_str(shape_));
  Tensor c = to(Device::CPU);
  return dispatch_all(dtype_, [&](auto tag) {
    using T = typename decltype(tag)::type;
    return static_cast<double>(*c.data<T>());
  });
}

template <typename T>
std::vector<T> Tensor::to_vector() const {
  Tensor c = to(Device::CPU).to(dtype_of<T>()).contiguous();
  const T* p = c.data<T>();
  return std::vector<T>(p, p + c.numel());
}
template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<double> Tensor::to_vector<double>() const;
template std::vector<int64_t> Tensor::to_vector<int64_t>() const;

namespace {
// Fills in a -1 in a requested shape from the element count.
Shape infer_shape(const Shape& requested, int64_t numel, std::string_view op, const Shape& from) {
  Shape shape = requested;
  int64_t known = 1, infer_at = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      TENSOR_CHECK(infer_at < 0, "[{}] only one dim may be -1, got {}", op, shape_str(requested));
      infer_at = static_cast<int64_t>(i);
    } else {
      TENSOR_CHECK(shape[i] >= 0, "[{}] invalid size {} in {}", op, shape[i], shape_str(requested));
      known *= shape[i];
    }
  }
  if (infer_at >= 0) {
    TENSOR_CHECK(known > 0 && numel % known == 0, "[{}] cannot reshape {} into {}", op, shape_str(from),
                 shape_str(requested));
    shape[infer_at] = numel / known;
  }
  TENSOR_CHECK(numel_of(shape) == numel, "[{}] cannot reshape {} ({} elements) into {}", op, shape_str(from), numel,
               shape_str(requested));
  return shape;
}

// Strides for viewing (shape, strides) as new_shape without a copy; false
// when the layout does not allow it. The old dims split into "chunks", runs
// of dims that are contiguous among themselves (stride[i] = stride[i+1] *
// shape[i+1]); a view may split or merge dims inside a chunk, never across.
// Walks both shapes from the innermost dim outwards, chunk by chunk.
bool view_strides(const Shape& shape, const Shape& strides, const Shape& new_shape, Shape& out) {
  out.assign(new_shape.size(), 1);
  if (shape.empty() || numel_of(shape) == 0) {
    out = contiguous_strides(new_shape);
    return true;
  }
  int64_t view_d = static_cast<int64_t>(new_shape.size()) - 1;
  int64_t chunk_stride = strides.back();  // stride of the chunk's innermost element
  int64_t chunk_numel = 1, view_numel = 1;
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    chunk_numel *= shape[d];
    const bool chunk_ends = d == 0 || (shape[d - 1] != 1 && strides[d - 1] != chunk_numel * chunk_stride);
    if (!chunk_ends) continue;
    // Hand out the chunk to new dims until they cover exactly its elements.
    while (view_d >= 0 && (view_numel < chunk_numel || new_shape[view_d] == 1)) {
      out[view_d] = view_numel * chunk_stride;
      view_numel *= new_shape[view_d];
      --view_d;
    }
    if (view_numel != chunk_numel) return false;
    if (d > 0) {
      chunk_stride = strides[d - 1];
      chunk_numel = view_numel = 1;
    }
  }
  return view_d == -1;
}
}  // namespace

Tensor Tensor::view(const Shape& requested) const {
  Shape shape = infer_shape(requested, numel(), "view", shape_);
  Shape strides;
  TENSOR_CHECK(view_strides(shape_, strides_, shape, strides),
               "[view] cannot view shape {} with strides {} as {} without a copy; use reshape()", shape_str(shape_),
               shape_str(strides_), shape_str(shape));
  return Tensor(storage_, shape, strides, offset_, dtype_);
}

Tensor Tensor::reshape(const Shape& requested) const {
  Shape shape = infer_shape(requested, numel(), "reshape", shape_);
  Shape strides;
  if (view_strides(shape_, strides_, shape, strides)) return Tensor(storage_, shape, strides, offset_, dtype_);
  return contiguous().view(shape);
}

Tensor Tensor::permute(const std::vector<int64_t>& order) const {
  TENSOR_CHECK(static_cast<int64_t>(order.size()) == dim(),
               "[permute] order {} has {} entries for a tensor of shape {}", shape_str(order), order.size(),
               shape_str(shape_));
  Shape shape(order.size()), strides(order.size());
  std::vector<bool> seen(order.size(), false);
  for (size_t i = 0; i < order.size(); ++i) {
    const int64_t d = normalize_dim(order[i], dim(), "permute");
    TENSOR_CHECK(!seen[d], "[permute] dim {} repeats in order {}", d, shape_str(order));
    seen[d] = true;
    shape[i] = shape_[d];
    strides[i] = strides_[d];
  }
  return Tensor(storage_, shape, strides, offset_, dtype_);
}

Tensor Tensor::transpose(int64_t d0, int64_t d1) const {
  d0 = normalize_dim(d0, dim(), "transpose");
  d1 = normalize_dim(d1, dim(), "transpose");
  if (dim() == 0) return *this;  // dims 0 and -1 of a 0-dim tensor name the tensor itself, as in PyTorch
  Shape shape = shape_, strides = strides_;
  std::swap(shape[d0], shape[d1]);
  std::swap(strides[d0], strides[d1]);
  return Tensor(storage_, shape, strides, offset_, dtype_);
}

Tensor Tensor::narrow(int64_t d, int64_t start, int64_t length) const {
  TENSOR_CHECK(dim() > 0, "[narrow] cannot narrow a 0-dim tensor");
  d = normalize_dim(d, dim(), "narrow");
  if (start < 0) start += shape_[d];
  TENSOR_CHECK(start >= 0 && length >= 0 && start + length <= shape_[d],
               "[narrow] range [{}, {}) is out of bounds for dim {} of size {} (shape {})", start, start + length, d,
               shape_[d], shape_str(shape_));
  Shape shape = shape_;
  shape[d] = length;
  return Tensor(storage_, shape, strides_, offset_ + start * strides_[d], dtype_);
}

Tensor Tensor::select(int64_t d, int64_t index) const {
  TENSOR_CHECK(dim() > 0, "[select] cannot index a 0-dim tensor");
  d = normalize_dim(d, dim(), "select");
  if (index < 0) index += shape_[d];
  TENSOR_CHECK(index >= 0 && index < shape_[d], "[select] index {} is out of bounds for dim {} of size {}", index, d,
               shape_[d]);
  Shape shape = shape_, strides = strides_;
  shape.erase(shape.begin() + d);
  strides.erase(strides.begin() + d);
  return Tensor(storage_, shape, strides, offset_ + index * strides_[d], dtype_);
}

Tensor Tensor::expand(const Shape& requested) const {
  TENSOR_CHECK(requested.size() >= shape_.size(), "[expand] cannot expand shape {} to fewer dims {}", shape_str(shape_),
               shape_str(requested));
  const size_t lead = requested.size() - shape_.size();
  Shape shape(requested.size()), strides(requested.size());
  for (size_t i = 0; i < requested.size(); ++i) {
    if (i < lead) {  // a new leading dim: repeat the whole tensor
      TENSOR_CHECK(requested[i] >= 0, "[expand] size -1 is not allowed for a new leading dim in {}",
                   shape_str(requested));
      shape[i] = requested[i];
      strides[i] = 0;
      continue;
    }
    const int64_t old = shape_[i - lead];
    const int64_t want = requested[i] == -1 ? old : requested[i];
    TENSOR_CHECK(old == want || old == 1, "[expand] cannot expand shape {} to {} (dim {}: {} is not 1)",
                 shape_str(shape_), shape_str(requested), i, old);
    shape[i] = want;
    strides[i] = old == want ? strides_[i - lead] : 0;
  }
  return Tensor(storage_, shape, strides, offset_, dtype_);
}

Tensor Tensor::squeeze(int64_t d) const {
  d = normalize_dim(d, dim(), "squeeze");
  if (dim() == 0) return *this;  // as in PyTorch
  TENSOR_CHECK(shape_[d] == 1, "[squeeze] dim {} has size {}, not 1 (shape {})", d, shape_[d], shape_str(shape_));
  return select(d, 0);
}

Tensor Tensor::unsqueeze(int64_t d) const {
  d = normalize_dim(d, dim() + 1, "unsqueeze");
  Shape shape = shape_, strides = strides_;
  // The new dim's stride: whatever keeps the view contiguous when it was.
  const int64_t stride = d < dim() ? strides_[d] * shape_[d] : 1;
  shape.insert(shape.begin() + d, 1);
  strides.insert(strides.begin() + d, stride);
  return Tensor(storage_, shape, strides, offset_, dtype_);
}

Tensor Tensor::contiguous() const { return is_contiguous() ? *this : clone(); }

Tensor Tensor::clone() const {
  Tensor out = Tensor::empty(shape_, dtype_, device());
  out.copy_(*this);
  return out;
}

Tensor Tensor::to(DType dtype) const {
  if (dtype == dtype_) return *this;
  Tensor out = Tensor::empty(shape_, dtype, device());
  out.copy_(*this);
  return out;
}

Tensor Tensor::to(Device device) const {
  if (device == this->device()) return *this;
  Tensor out = Tensor::empty(shape_, dtype_, device);
  out.copy_(*this);
  return out;
}

namespace {
// Note [Copies across devices]: bytes cross between devices in one
// copy_bytes (cudaMemcpy) between two contiguous tensors of one dtype. Any
// dtype cast, stride or broadcast is done on one side by that device's copy
// kernel: src is first staged into a contiguous tensor of dst's dtype on its
// own device, and a strided dst receives the bytes in a contiguous landing
// tensor on its device first. So no backend needs a kernel that reads one
// device and writes another.
void copy_across_devices(Tensor dst, const Tensor& src) {
  if (dst.numel() == 0) return;
  const bool src_ready = src.dtype() == dst.dtype() && src.is_contiguous();
  const Tensor packed = src_ready ? src : Tensor::empty(dst.shape(), dst.dtype(), src.device()).copy_(src);
  if (!dst.is_contiguous()) {
    Tensor landing = Tensor::empty(dst.shape(), dst.dtype(), dst.device());
    copy_bytes(landing.raw_data(), landing.device(), packed.raw_data(), packed.device(),
               landing.numel() * dtype_size(landing.dtype()));
    dst.copy_(landing);
    return;
  }
  copy_bytes(dst.raw_data(), dst.device(), packed.raw_data(), packed.device(), dst.numel() * dtype_size(dst.dtype()));
}
}  // namespace

Tensor& Tensor::copy_(const Tensor& src) {
  TENSOR_CHECK(src.defined() && defined(), "[copy_] undefined tensor");
  Tensor from = src.expand(broadcast_shapes(shape_, src.shape(), "copy_"));
  TENSOR_CHECK(from.shape() == shape_, "[copy_] cannot copy shape {} into shape {}", shape_str(src.shape()),
               shape_str(shape_));
  check_writable("copy_", *this);
  if (device() != src.device()) {
    copy_across_devices(*this, from);
    return *this;
  }
  TENSOR_DISPATCH(device(), copy, *this, unaliased(from, *this));
  return *this;
}

Tensor& Tensor::fill_(double value) {
  TENSOR_DISPATCH(device(), fill, *this, value);
  return *this;
}

void check_writable(std::string_view op, const Tensor& dst) {
  for (int64_t d = 0; d < dst.dim(); ++d)
    TENSOR_CHECK(dst.strides()[d] != 0 || dst.shape()[d] <= 1,
                 "[{}] cannot write into an expanded tensor (shape {}, strides {}): its elements overlap in memory", op,
                 shape_str(dst.shape()), shape_str(dst.strides()));
}

Tensor unaliased(const Tensor& src, const Tensor& dst) {
  if (!src.shares_storage(dst)) return src;
  const bool same_view = src.offset() == dst.offset() && src.strides() == dst.strides() && src.shape() == dst.shape();
  return same_view ? src : src.clone();  // each element reads only itself: safe; else read from a copy
}

void check_same_dtype_device(std::string_view op, const Tensor& a, const Tensor& b) {
  TENSOR_CHECK(a.defined() && b.defined(), "[{}] got an undefined tensor", op);
  TENSOR_CHECK(a.dtype() == b.dtype(), "[{}] dtypes differ: {} {} and {} {}", op, dtype_name(a.dtype()),
               shape_str(a.shape()), dtype_name(b.dtype()), shape_str(b.shape()));
  TENSOR_CHECK(a.device() == b.device(), "[{}] devices differ: {} and {}", op, device_name(a.device()),
               device_name(b.device()));
}

}  // namespace tensor
