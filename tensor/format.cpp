#include "tensor/format.h"

#include "tensor/ops.h"

namespace tensor {
namespace {

constexpr int64_t kEdge = 3;       // entries shown at each end of a long dim
constexpr int64_t kMaxFull = 6;    // dims up to this length print in full

void append_values(std::string& s, const Tensor& t, int64_t depth) {
  if (t.dim() == 0) {
    const double v = t.item();
    s += t.dtype() == DType::Int64 ? fmt::format("{}", static_cast<int64_t>(v)) : fmt::format("{:.4f}", v);
    return;
  }
  const int64_t n = t.size(0);
  s += '[';
  for (int64_t i = 0; i < n; ++i) {
    if (n > kMaxFull && i == kEdge) {
      s += "..., ";
      i = n - kEdge;
    }
    append_values(s, t.select(0, i), depth + 1);
    if (i + 1 < n) s += t.dim() > 1 ? fmt::format(",\n{:{}}", "", depth + 8) : ", ";
  }
  s += ']';
}

}  // namespace

std::string to_string(const Tensor& t) {
  if (!t.defined()) return "tensor(undefined)";
  std::string s = "tensor(";
  append_values(s, t.to(Device::CPU), 0);
  s += fmt::format(", shape={}, dtype={}, device={})", shape_str(t.shape()), dtype_name(t.dtype()),
                   device_name(t.device()));
  return s;
}

}  // namespace tensor
