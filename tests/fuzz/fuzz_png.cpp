// Fuzz target: PNG decoding (apps::decode_png, what read_png and the png:DIR
// data sets run on each file's bytes), through libpng's simplified API.
#include "apps/io/png.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  fuzz::expect_no_crash([&] { apps::decode_png(bytes, "fuzz.png"); });
  return 0;
}
