// Fuzz target: a run checkpoint as `diffuse sample --ckpt` loads it: the
// safetensors file, its metadata (numbers, model config JSON), the network
// that config builds, and the weights loaded into it.
#include "apps/commands/model_source.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = fuzz::write_input(data, size, "model.safetensors");
  apps::ModelSourceOptions source;
  source.ckpt = path;
  fuzz::expect_no_crash([&] { apps::load_model(source); });
  return 0;
}
