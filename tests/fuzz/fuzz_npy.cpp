// Fuzz target: .npy files (apps::read_npy: magic, header dict, shape, data).
#include "apps/io/npy.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = fuzz::write_input(data, size, "x.npy");
  fuzz::expect_no_crash([&] { apps::read_npy(path); });
  return 0;
}
