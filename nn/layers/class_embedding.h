// ClassEmbedding: the label embedding of a class-conditional denoiser, one
// learned row per class plus one for "no class" (the null class, the last
// row). classes Int64 (N,) in 0..C (C = the null class) -> (N, dim). The
// lookup is autograd's index_select, whose backward adds each row's gradient
// into the table: no layer-specific gradient rule (Note [Class-conditional models]).
#pragma once
#include "nn/module.h"
#include "tensor/random.h"

namespace nn {

class ClassEmbedding : public Module {
 public:
  // weight (classes + 1, dim) ~ N(0, 1), as PyTorch's nn.Embedding.
  ClassEmbedding(int64_t classes, int64_t dim, tensor::Generator& gen);
  Variable forward(const Tensor& classes);
  int64_t classes() const { return classes_; }

  Variable weight;

 private:
  int64_t classes_;
};

}  // namespace nn
