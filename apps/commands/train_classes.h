// Class-conditional training for `diffuse train --conditional`: how many
// classes the data has, and the labels one step trains with (the batch's
// classes with some dropped to the null class, docs/math.md section 12).
// The network side is Note [Class-conditional models] in nn/module.h.
#pragma once
#include <cstdint>
#include <string>

#include "tensor/tensor.h"

namespace apps {

// C = the largest label + 1 (at least 2). Throws naming --data when it has
// no labels (which sets have them: load_data in data/dataset.h).
int64_t class_count(const std::string& data_spec, const tensor::Tensor& labels);

// The classes step `step` trains with: `batch_labels` with each one replaced
// by the null class C with probability cond_drop, drawn at stream `step` of
// the ClassDrop block (Note [Random streams]), so a resumed run drops the same ones.
tensor::Tensor training_classes(const tensor::Tensor& batch_labels, int64_t classes, double cond_drop, uint64_t seed,
                                int64_t step);

}  // namespace apps
