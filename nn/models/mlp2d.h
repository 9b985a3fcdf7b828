// MLP2D: the denoiser for 2-D toy data, eps_theta(x_t, t), as in the
// reference: net = Sequential(Linear(2 + temb, width), SiLU, [Linear(width,
// width), SiLU] x (hidden - 1), Linear(width, 2)) applied to [x, emb(t)].
// Default (width 256, temb 32, 3 hidden layers): 141,058 parameters. With
// num_classes C > 0 a table class_emb (C + 1, temb) is added to emb(t)
// (Note [Class-conditional models] in nn/module.h).
#pragma once
#include <memory>
#include <string>

#include "nn/layers/class_embedding.h"
#include "nn/layers/sequential.h"
#include "nn/module.h"
#include "tensor/random.h"

namespace nn {

struct MLP2DConfig {
  int64_t data_dim = 2;
  int64_t width = 256;
  int64_t temb = 32;          // sinusoidal embedding size
  int64_t hidden_layers = 3;  // Linear+SiLU pairs before the output layer
  int64_t num_classes = 0;    // C: 0 for an unconditional model
  std::string to_json() const;
  static MLP2DConfig from_json(const std::string& json);
};

class MLP2D : public TimestepModel {
 public:
  explicit MLP2D(const MLP2DConfig& config, tensor::Generator& gen);
  Variable forward(const Variable& x, const Tensor& t) override;
  Variable forward_class(const Variable& x, const Tensor& t, const Tensor& classes) override;
  int64_t num_classes() const override { return config_.num_classes; }
  const MLP2DConfig& config() const { return config_; }

  std::shared_ptr<Sequential> net;
  std::shared_ptr<ClassEmbedding> class_emb;  // null without classes

 private:
  void check_inputs(const Variable& x, const Tensor& t) const;
  MLP2DConfig config_;
};

}  // namespace nn
