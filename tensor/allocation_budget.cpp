// Allocation budgets (see allocation_budget.h).
//
// Note [Allocation budget]: a file's sizes can be checked against its bytes
// (the .npy and IDX readers do), but a checkpoint's model config ("width":
// 50000) says how large a network to build, and the network allocates and
// initializes its weights before any of them is compared with the file: a
// 6 KB file could make us fill 10 GB. The weights must all be in the file,
// so the file's size bounds what building the network may honestly take.
// The budget counts every allocation (temporaries too), so callers leave a
// generous factor; what it stops is a config thousands of times too large.
#include "tensor/allocation_budget.h"

#include <utility>

#include "tensor/error.h"

namespace tensor {
namespace {
thread_local ScopedAllocationBudget* active_budget = nullptr;
}  // namespace

ScopedAllocationBudget::ScopedAllocationBudget(int64_t bytes, std::string what)
    : limit_(bytes), what_(std::move(what)), outer_(active_budget) {
  active_budget = this;
}

ScopedAllocationBudget::~ScopedAllocationBudget() { active_budget = outer_; }

void ScopedAllocationBudget::charge(int64_t bytes) {
  ScopedAllocationBudget* budget = active_budget;
  if (budget == nullptr) return;
  TENSOR_CHECK(bytes <= budget->limit_ - budget->used_,
               "[allocation budget] {} needs more than {} bytes (asked for {} after {})", budget->what_, budget->limit_,
               bytes, budget->used_);
  budget->used_ += bytes;
}

}  // namespace tensor
