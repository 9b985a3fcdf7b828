// EMA (see ema.h). The shadow is keyed by parameter name, so it can be
// checked against any module with the same architecture.
#include "nn/optim/ema.h"

#include <algorithm>

#include "tensor/ops.h"

namespace nn {

namespace {
void check_same_names(const std::vector<NamedParameter>& params, const StateDict& shadow, const char* op) {
  TENSOR_CHECK(params.size() == shadow.size(), "[EMA::{}] the module has {} parameters, the EMA holds {}", op,
               params.size(), shadow.size());
  for (const auto& [name, p] : params) {
    auto found = shadow.find(name);
    TENSOR_CHECK(found != shadow.end(), "[EMA::{}] the EMA has no parameter '{}'", op, name);
    TENSOR_CHECK(found->second.shape() == p.shape() && found->second.dtype() == p.dtype(),
                 "[EMA::{}] parameter '{}' is {} {}, the EMA holds {} {}", op, name, tensor::dtype_name(p.dtype()),
                 tensor::shape_str(p.shape()), tensor::dtype_name(found->second.dtype()),
                 tensor::shape_str(found->second.shape()));
  }
}
}  // namespace

EMA::EMA(const Module& module, double decay, bool warmup) : decay_(decay), warmup_(warmup) {
  TENSOR_CHECK(decay >= 0 && decay <= 1, "[EMA] decay must be in [0, 1], got {}", decay);
  for (const auto& [name, p] : module.named_parameters()) shadow_[name] = p.data().clone();
}

double EMA::decay_at(int64_t n) const { return warmup_ ? std::min(decay_, (1.0 + n) / (10.0 + n)) : decay_; }

void EMA::update(const Module& module) {
  const auto params = module.named_parameters();
  check_same_names(params, shadow_, "update");
  const double decay = decay_at(num_updates_);
  for (const auto& [name, p] : params) {
    Tensor& s = shadow_.at(name);
    tensor::mul_(s, decay);
    tensor::add_scaled_(s, p.data(), 1.0 - decay);
  }
  ++num_updates_;
}

void EMA::copy_to(Module& module) const {
  const auto params = module.named_parameters();
  check_same_names(params, shadow_, "copy_to");
  for (const auto& [name, p] : params) p.mutable_data().copy_(shadow_.at(name));
}

void EMA::swap(Module& module) {
  const auto params = module.named_parameters();
  check_same_names(params, shadow_, "swap");
  // Swapping handles, not bytes: the module's Variables now hold the averages.
  for (const auto& [name, p] : params) std::swap(p.mutable_data(), shadow_.at(name));
}

void EMA::load_state_dict(const StateDict& state, int64_t num_updates) {
  for (const auto& [name, s] : shadow_) {
    auto found = state.find(name);
    TENSOR_CHECK(found != state.end(), "[EMA] missing tensor '{}'", name);
    TENSOR_CHECK(found->second.shape() == s.shape() && found->second.dtype() == s.dtype(),
                 "[EMA] tensor '{}' is {} {}, expected {} {}", name, tensor::dtype_name(found->second.dtype()),
                 tensor::shape_str(found->second.shape()), tensor::dtype_name(s.dtype()), tensor::shape_str(s.shape()));
  }
  for (const auto& [name, s] : state) TENSOR_CHECK(shadow_.count(name), "[EMA] unexpected tensor '{}'", name);
  for (auto& [name, s] : shadow_) s.copy_(state.at(name).to(s.device()));  // a host checkpoint onto the shadow's device
  num_updates_ = num_updates;
}

}  // namespace nn
