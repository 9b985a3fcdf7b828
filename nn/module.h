// Module: the base of every layer and model. A module owns named parameters
// (autograd leaves that require grad), named buffers (plain tensors saved
// with the weights but never trained) and named children; names join with
// dots into the state_dict keys PyTorch uses ("d1.c1.weight"). This file
// holds the bookkeeping only; layers live in nn/layers/, models in nn/models/.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "autograd/variable.h"

namespace nn {

using autograd::Variable;
using tensor::DType;
using tensor::Shape;
using tensor::Tensor;

// name -> tensor, sorted by name (a checkpoint's tensors).
using StateDict = std::map<std::string, Tensor>;
using NamedParameter = std::pair<std::string, Variable>;

class Module {
 public:
  Module() = default;
  virtual ~Module() = default;
  // A module is a graph of shared handles; a copy would alias the same
  // weights under a new owner, so copying is not allowed.
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // All parameters, this module's first (in registration order), then each
  // child's, recursively, with dotted names: the order PyTorch uses.
  std::vector<NamedParameter> named_parameters() const;
  std::vector<Variable> parameters() const;
  std::vector<std::pair<std::string, Tensor>> named_buffers() const;
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& children() const { return children_; }
  int64_t parameter_count() const;

  // Training mode (the default) vs evaluation mode, set on the whole tree;
  // Dropout reads it.
  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // Drops every parameter's gradient (like PyTorch's zero_grad(set_to_none=True)).
  void zero_grad();

  // Parameters and buffers by dotted name. The tensors share storage with the
  // module: clone them to keep a snapshot.
  StateDict state_dict() const;
  // Copies each tensor into the parameter or buffer of the same name. Every
  // name must exist on both sides, with the same shape and dtype; an error
  // names the offending tensor and nothing is changed. The sources may live on
  // another device (a checkpoint read on the host): each lands on its
  // destination's device.
  void load_state_dict(const StateDict& state);

  // Converts every parameter and buffer to `dtype` in place (float64 for gradchecks).
  void to(DType dtype);
  // Moves every parameter and buffer to `device` in place; gradients are
  // dropped. Note [Moving a model]: optimizers and EMA copy or reference the
  // parameters' tensors when they are built (their moment buffers and shadows
  // are made on the parameters' device), so move the model first, then build
  // them: model.to(device); AdamW opt(model.named_parameters()); EMA ema(model).
  void to(tensor::Device device);

 protected:
  // Registration, called from constructors. Names are identifiers without
  // dots (a dot separates levels); each name is used once per module.
  Variable register_parameter(const std::string& name, const Tensor& value);
  void register_buffer(const std::string& name, const Tensor& value);
  // A registered buffer, by its name in this module (to() may replace it, so
  // layers look it up rather than keep a copy).
  const Tensor& buffer(const std::string& name) const;
  template <typename M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> child) {
    add_child(name, child);
    return child;
  }

 private:
  void add_child(const std::string& name, std::shared_ptr<Module> child);
  void check_new_name(const std::string& name) const;
  void collect_parameters(const std::string& prefix, std::vector<NamedParameter>& out) const;
  void collect_buffers(const std::string& prefix, std::vector<std::pair<std::string, Tensor*>>& out);
  // Replaces every parameter (dropping its gradient) and buffer by convert(it): to(dtype), to(device).
  void replace_tensors(const std::function<Tensor(const Tensor&)>& convert);

  std::vector<NamedParameter> parameters_;
  std::vector<std::pair<std::string, Tensor>> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

// A module with one input and one output: what Sequential chains.
class Layer : public Module {
 public:
  virtual Variable forward(const Variable& x) = 0;
  Variable operator()(const Variable& x) { return forward(x); }
};

// The denoiser interface the diffusion layer trains and samples with:
// x is a batch (N, ...) and t a float32 (N,) tensor of timestep labels, the
// integers 0..T-1 of a discrete schedule or continuous times; the output has
// x's shape (eps, x0 or v, as the parameterization decides).
//
// Note [Class-conditional models]: a model built with C > 0 classes (its
// config's num_classes) also takes a class per example, `classes` Int64 (N,)
// in 0..C-1, or C for "no class" (the null class, written with the empty set
// in docs/math.md section 12). It adds a learned embedding of the class to
// its time embedding; training drops the class to C now and then, so the
// one network is both p(x | c) and p(x). forward(x, t) of such a model is
// the null class, so code that knows nothing of classes (likelihoods,
// unguided sampling) sees the unconditional model. With C = 0 the model has
// no embedding at all: the parameters, names and outputs of before.
class TimestepModel : public Module {
 public:
  virtual Variable forward(const Variable& x, const Tensor& t) = 0;
  Variable operator()(const Variable& x, const Tensor& t) { return forward(x, t); }

  virtual int64_t num_classes() const { return 0; }
  // forward with classes (Note [Class-conditional models]); throws for a model without classes.
  virtual Variable forward_class(const Variable& x, const Tensor& t, const Tensor& classes);
  // n copies of the null class C, Int64 on `device`.
  Tensor null_classes(int64_t n, tensor::Device device) const;
};

}  // namespace nn
