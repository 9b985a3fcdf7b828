// Fuzz target: a safetensors file's bytes (nn::parse_safetensors, what
// load_safetensors runs on the file's contents).
#include "fuzz_util.h"
#include "nn/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  fuzz::expect_no_crash([&] { nn::parse_safetensors(bytes, "fuzz"); });
  return 0;
}
