// Optimizer base: state bookkeeping and the loop over parameters.
#include "nn/optim/optimizer.h"

#include <set>

#include "autograd/grad_mode.h"
#include "tensor/ops.h"

namespace nn {

Optimizer::Optimizer(std::vector<NamedParameter> params, double lr, std::vector<std::string> state_kinds)
    : lr_(lr), params_(std::move(params)), kinds_(std::move(state_kinds)) {
  TENSOR_CHECK(lr >= 0, "[Optimizer] learning rate must be >= 0, got {}", lr);
  for (const auto& [name, p] : params_) {
    TENSOR_CHECK(p.defined() && p.is_leaf(), "[Optimizer] parameter '{}' must be a defined leaf", name);
    std::vector<Tensor> buffers;
    for (size_t k = 0; k < kinds_.size(); ++k) buffers.push_back(tensor::zeros_like(p.data()));
    state_.push_back(std::move(buffers));
  }
}

void Optimizer::step() {
  autograd::NoGradGuard no_grad;
  ++step_count_;
  for (size_t i = 0; i < params_.size(); ++i) {
    const auto& [name, p] = params_[i];
    if (!p.grad().defined()) continue;
    TENSOR_CHECK(p.data().is_contiguous(), "[Optimizer] parameter '{}' is not contiguous", name);
    TENSOR_CHECK(p.grad().dtype() == p.dtype() && p.grad().shape() == p.shape(),
                 "[Optimizer] gradient of '{}' is {} {}, the parameter is {} {}", name,
                 tensor::dtype_name(p.grad().dtype()), tensor::shape_str(p.grad().shape()),
                 tensor::dtype_name(p.dtype()), tensor::shape_str(p.shape()));
    update(p.mutable_data(), p.grad().contiguous(), state_[i]);
  }
}

void Optimizer::zero_grad() {
  for (const auto& [name, p] : params_) p.zero_grad();
}

StateDict Optimizer::state_dict() const {
  StateDict out;
  for (size_t i = 0; i < params_.size(); ++i)
    for (size_t k = 0; k < kinds_.size(); ++k) out[kinds_[k] + "." + params_[i].first] = state_[i][k];
  return out;
}

void Optimizer::load_state_dict(const StateDict& state, int64_t step_count) {
  TENSOR_CHECK(step_count >= 0, "[Optimizer] step count must be >= 0, got {}", step_count);
  std::set<std::string> expected;
  for (size_t i = 0; i < params_.size(); ++i)
    for (size_t k = 0; k < kinds_.size(); ++k) {
      const std::string key = kinds_[k] + "." + params_[i].first;
      expected.insert(key);
      auto found = state.find(key);
      TENSOR_CHECK(found != state.end(), "[Optimizer] missing state tensor '{}'", key);
      const Tensor& dst = state_[i][k];
      TENSOR_CHECK(found->second.shape() == dst.shape() && found->second.dtype() == dst.dtype(),
                   "[Optimizer] state tensor '{}' is {} {}, the parameter is {} {}", key,
                   tensor::dtype_name(found->second.dtype()), tensor::shape_str(found->second.shape()),
                   tensor::dtype_name(dst.dtype()), tensor::shape_str(dst.shape()));
    }
  for (const auto& [key, value] : state)
    TENSOR_CHECK(expected.count(key), "[Optimizer] unexpected state tensor '{}'", key);
  for (size_t i = 0; i < params_.size(); ++i)
    for (size_t k = 0; k < kinds_.size(); ++k) {
      Tensor& dst = state_[i][k];
      dst.copy_(state.at(kinds_[k] + "." + params_[i].first).to(dst.device()));  // host checkpoint -> device
    }
  step_count_ = step_count;
}

}  // namespace nn
