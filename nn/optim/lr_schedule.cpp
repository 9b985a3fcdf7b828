// WarmupCosine (see lr_schedule.h).
#include "nn/optim/lr_schedule.h"

#include <algorithm>
#include <numbers>
#include <cmath>

#include "tensor/error.h"

namespace nn {

double WarmupCosine::operator()(int64_t step) const {
  TENSOR_CHECK(step >= 0 && warmup_steps >= 0 && total_steps > warmup_steps,
               "[WarmupCosine] need 0 <= step, 0 <= warmup_steps < total_steps; got step {} warmup {} total {}", step,
               warmup_steps, total_steps);
  if (step < warmup_steps) return base_lr * static_cast<double>(step + 1) / static_cast<double>(warmup_steps);
  const double progress =
      std::min(1.0, static_cast<double>(step - warmup_steps) / static_cast<double>(total_steps - warmup_steps));
  return min_lr + (base_lr - min_lr) * 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
}

}  // namespace nn
