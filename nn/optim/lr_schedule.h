// Learning-rate schedule: linear warmup from 0 to base_lr over warmup_steps,
// then cosine decay from base_lr to min_lr at total_steps (held after).
//   step < W:      lr = base_lr * (step + 1) / W
//   W <= step < S: lr = min_lr + (base_lr - min_lr) * (1 + cos(pi * (step - W) / (S - W))) / 2
// `step` counts optimizer steps from 0; set lr before each step.
#pragma once
#include <cstdint>

namespace nn {

struct WarmupCosine {
  double base_lr = 1e-3;
  int64_t warmup_steps = 0;
  int64_t total_steps = 1;
  double min_lr = 0.0;
  double operator()(int64_t step) const;
};

}  // namespace nn
