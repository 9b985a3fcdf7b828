// A cap on what Tensor::empty may allocate on this thread while a
// ScopedAllocationBudget lives. Loaders use it where outside numbers decide
// how much gets built (a checkpoint's model config): see Note [Allocation
// budget] in allocation_budget.cpp.
#pragma once
#include <cstdint>
#include <string>

namespace tensor {

class ScopedAllocationBudget {
 public:
  // At most `bytes` in all (freed memory is not given back); `what` names the
  // work in the error.
  ScopedAllocationBudget(int64_t bytes, std::string what);
  ~ScopedAllocationBudget();
  ScopedAllocationBudget(const ScopedAllocationBudget&) = delete;
  ScopedAllocationBudget& operator=(const ScopedAllocationBudget&) = delete;

  // Called by Tensor::empty: counts `bytes` against the innermost budget, if
  // any, and throws tensor::Error when it runs out.
  static void charge(int64_t bytes);

 private:
  int64_t limit_, used_ = 0;
  std::string what_;
  ScopedAllocationBudget* outer_;
};

}  // namespace tensor
