// Front-ends of cat/stack and index_select/index_add_.
#include "tensor/dispatch.h"
#include "tensor/ops.h"

namespace tensor {

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  TENSOR_CHECK(!tensors.empty(), "[cat] needs at least one tensor");
  const Tensor& first = tensors[0];
  TENSOR_CHECK(first.dim() > 0, "[cat] 0-dim tensors have no dim to join along; use stack");
  dim = normalize_dim(dim, first.dim(), "cat");
  Shape shape = first.shape();
  int64_t total = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    check_same_dtype_device("cat", first, t);
    TENSOR_CHECK(t.dim() == first.dim(), "[cat] tensor {} has shape {}, tensor 0 has {}", i, shape_str(t.shape()),
                 shape_str(first.shape()));
    for (int64_t d = 0; d < t.dim(); ++d)
      TENSOR_CHECK(d == dim || t.shape()[d] == shape[d],
                   "[cat] along dim {}: tensor {} has shape {}, tensor 0 has {} (dim {} differs)", dim, i,
                   shape_str(t.shape()), shape_str(first.shape()), d);
    total += t.shape()[dim];
  }
  shape[dim] = total;
  Tensor out = Tensor::empty(shape, first.dtype(), first.device());
  int64_t offset = 0;
  for (const Tensor& t : tensors) {  // each input is copied into its slice of the output
    out.narrow(dim, offset, t.shape()[dim]).copy_(t);
    offset += t.shape()[dim];
  }
  return out;
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  TENSOR_CHECK(!tensors.empty(), "[stack] needs at least one tensor");
  dim = normalize_dim(dim, tensors[0].dim() + 1, "stack");
  std::vector<Tensor> expanded;
  for (size_t i = 0; i < tensors.size(); ++i) {
    TENSOR_CHECK(tensors[i].shape() == tensors[0].shape(), "[stack] tensor {} has shape {}, tensor 0 has {}", i,
                 shape_str(tensors[i].shape()), shape_str(tensors[0].shape()));
    expanded.push_back(tensors[i].unsqueeze(dim));
  }
  return cat(expanded, dim);
}

namespace {
void check_index(std::string_view op, const Tensor& t, int64_t dim, const Tensor& index) {
  TENSOR_CHECK(index.defined() && index.dtype() == DType::Int64 && index.dim() == 1,
               "[{}] index must be a 1-D int64 tensor, got {} {}", op, dtype_name(index.dtype()),
               shape_str(index.shape()));
  TENSOR_CHECK(index.device() == t.device(), "[{}] index is on {}, tensor on {}", op, device_name(index.device()),
               device_name(t.device()));
  const Tensor idx = index.to(Device::CPU).contiguous();
  const int64_t* p = idx.data<int64_t>();
  for (int64_t i = 0; i < idx.numel(); ++i)
    TENSOR_CHECK(p[i] >= 0 && p[i] < t.size(dim), "[{}] index {} (at position {}) is out of range for dim {} of size {}",
                 op, p[i], i, dim, t.size(dim));
}
}  // namespace

Tensor index_select(const Tensor& src, int64_t dim, const Tensor& index) {
  dim = normalize_dim(dim, src.dim(), "index_select");
  check_index("index_select", src, dim, index);
  Shape shape = src.shape();
  shape[dim] = index.numel();
  Tensor out = Tensor::empty(shape, src.dtype(), src.device());
  TENSOR_DISPATCH(src.device(), index_select, out, src.contiguous(), dim, index.contiguous());
  return out;
}

Tensor& index_add_(Tensor& out, int64_t dim, const Tensor& index, const Tensor& src) {
  dim = normalize_dim(dim, out.dim(), "index_add_");
  check_index("index_add_", out, dim, index);
  check_same_dtype_device("index_add_", out, src);
  Shape expected = out.shape();
  expected[dim] = index.numel();
  TENSOR_CHECK(src.shape() == expected, "[index_add_] source {} does not match {} (out {} with {} indices on dim {})",
               shape_str(src.shape()), shape_str(expected), shape_str(out.shape()), index.numel(), dim);
  TENSOR_CHECK(out.is_contiguous(), "[index_add_] the output must be contiguous, got strides {}",
               shape_str(out.strides()));
  TENSOR_DISPATCH(out.device(), index_add, out, dim, index.contiguous(), src.contiguous());
  return out;
}

}  // namespace tensor
