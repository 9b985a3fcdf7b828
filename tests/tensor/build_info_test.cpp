// tensor::build_info(): the line must name the BLAS core OpenBLAS picked and
// the thread count in force when it is called.
#include "tensor/build_info.h"

#include <cblas.h>
#include <gtest/gtest.h>

#include "tensor/cpu/isa.h"
#include "tensor/ops.h"

using namespace tensor;

TEST(BuildInfo, NamesBlasCoreAndThreads) {
  const int saved = get_num_threads();
  set_num_threads(3);
  const std::string three = build_info();
  set_num_threads(1);
  const std::string one = build_info();
  set_num_threads(saved);
  EXPECT_NE(three.find(std::string("OpenBLAS core ") + openblas_get_corename()), std::string::npos) << three;
  EXPECT_NE(three.find("threads 3;"), std::string::npos) << three;
  EXPECT_NE(one.find("threads 1;"), std::string::npos) << one;
  EXPECT_NE(three.find("vectors "), std::string::npos) << three;
  EXPECT_NE(three.find("kernels " + cpu::isa_name(cpu::kernel_isa()) + " (chosen at run time)"), std::string::npos)
      << three;
}
