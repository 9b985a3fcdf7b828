// Module bookkeeping: registration, recursive walks that build dotted names,
// and the checked state_dict load.
#include "nn/module.h"

#include <set>

#include "tensor/ops.h"

namespace nn {

namespace {
std::string join(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}
}  // namespace

void Module::check_new_name(const std::string& name) const {
  TENSOR_CHECK(!name.empty() && name.find('.') == std::string::npos && name.find(':') == std::string::npos,
               "[Module] invalid name '{}': names are non-empty and contain no '.' or ':'", name);
  bool taken = false;
  for (const auto& [n, p] : parameters_) taken |= n == name;
  for (const auto& [n, b] : buffers_) taken |= n == name;
  for (const auto& [n, c] : children_) taken |= n == name;
  TENSOR_CHECK(!taken, "[Module] name '{}' is already registered", name);
}

Variable Module::register_parameter(const std::string& name, const Tensor& value) {
  check_new_name(name);
  TENSOR_CHECK(value.defined() && tensor::is_floating(value.dtype()),
               "[Module] parameter '{}' must be a defined floating tensor", name);
  Variable p(value, /*requires_grad=*/true);
  parameters_.emplace_back(name, p);
  return p;
}

void Module::register_buffer(const std::string& name, const Tensor& value) {
  check_new_name(name);
  TENSOR_CHECK(value.defined(), "[Module] buffer '{}' is undefined", name);
  buffers_.emplace_back(name, value);
}

const Tensor& Module::buffer(const std::string& name) const {
  for (const auto& [n, b] : buffers_)
    if (n == name) return b;
  throw tensor::Error(fmt::format("[Module] no buffer named '{}'", name));
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> child) {
  check_new_name(name);
  TENSOR_CHECK(child != nullptr, "[Module] child '{}' is null", name);
  child->train(training_);
  children_.emplace_back(name, std::move(child));
}

void Module::collect_parameters(const std::string& prefix, std::vector<NamedParameter>& out) const {
  for (const auto& [name, p] : parameters_) out.emplace_back(join(prefix, name), p);
  for (const auto& [name, child] : children_) child->collect_parameters(join(prefix, name), out);
}

void Module::collect_buffers(const std::string& prefix, std::vector<std::pair<std::string, Tensor*>>& out) {
  for (auto& [name, b] : buffers_) out.emplace_back(join(prefix, name), &b);
  for (auto& [name, child] : children_) child->collect_buffers(join(prefix, name), out);
}

std::vector<NamedParameter> Module::named_parameters() const {
  std::vector<NamedParameter> out;
  collect_parameters("", out);
  return out;
}

std::vector<Variable> Module::parameters() const {
  std::vector<Variable> out;
  for (auto& [name, p] : named_parameters()) out.push_back(p);
  return out;
}

std::vector<std::pair<std::string, Tensor>> Module::named_buffers() const {
  std::vector<std::pair<std::string, Tensor*>> pointers;
  const_cast<Module*>(this)->collect_buffers("", pointers);  // read-only use of the pointers
  std::vector<std::pair<std::string, Tensor>> out;
  for (auto& [name, b] : pointers) out.emplace_back(name, *b);
  return out;
}

int64_t Module::parameter_count() const {
  int64_t count = 0;
  for (const auto& [name, p] : named_parameters()) count += p.numel();
  return count;
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [name, child] : children_) child->train(on);
}

void Module::zero_grad() {
  for (const auto& [name, p] : named_parameters()) p.zero_grad();
}

StateDict Module::state_dict() const {
  StateDict out;
  for (const auto& [name, p] : named_parameters()) out[name] = p.data();
  for (const auto& [name, b] : named_buffers()) out[name] = b;
  return out;
}

void Module::load_state_dict(const StateDict& state) {
  // Pair every destination with its source first, so a bad entry changes nothing.
  std::vector<std::pair<std::string, Tensor*>> targets;
  for (const auto& [name, p] : named_parameters()) targets.emplace_back(name, &p.mutable_data());
  collect_buffers("", targets);
  std::set<std::string> expected;
  for (const auto& [name, dst] : targets) {
    expected.insert(name);
    auto found = state.find(name);
    TENSOR_CHECK(found != state.end(), "[load_state_dict] missing tensor '{}' (shape {})", name,
                 tensor::shape_str(dst->shape()));
    const Tensor& src = found->second;
    TENSOR_CHECK(src.shape() == dst->shape(), "[load_state_dict] tensor '{}' has shape {}, the module expects {}", name,
                 tensor::shape_str(src.shape()), tensor::shape_str(dst->shape()));
    TENSOR_CHECK(src.dtype() == dst->dtype(), "[load_state_dict] tensor '{}' has dtype {}, the module expects {}", name,
                 tensor::dtype_name(src.dtype()), tensor::dtype_name(dst->dtype()));
  }
  for (const auto& [name, src] : state)
    TENSOR_CHECK(expected.count(name),
                 "[load_state_dict] unexpected tensor '{}' (shape {}): the module has no such "
                 "parameter or buffer",
                 name, tensor::shape_str(src.shape()));
  // Copy in place: layers hold handles to these tensors.
  for (auto& [name, dst] : targets) dst->copy_(state.at(name).to(dst->device()));
}

void Module::replace_tensors(const std::function<Tensor(const Tensor&)>& convert) {
  for (const auto& [name, p] : named_parameters()) {
    p.mutable_data() = convert(p.data());
    p.zero_grad();  // a gradient of the old tensor is not carried over
  }
  std::vector<std::pair<std::string, Tensor*>> buffers;
  collect_buffers("", buffers);
  for (auto& [name, b] : buffers) *b = convert(*b);
}

void Module::to(DType dtype) {
  replace_tensors([dtype](const Tensor& t) { return t.to(dtype); });
}

void Module::to(tensor::Device device) {
  replace_tensors([device](const Tensor& t) { return t.to(device); });
}

Variable TimestepModel::forward_class(const Variable&, const Tensor&, const Tensor&) {
  throw tensor::Error("[TimestepModel] this model was built without classes (num_classes 0); it takes no class labels");
}

Tensor TimestepModel::null_classes(int64_t n, tensor::Device device) const {
  return tensor::full({n}, static_cast<double>(num_classes()), DType::Int64, device);
}

}  // namespace nn
