// Fuzz target: the --data spec of the command line (apps::load_data), e.g.
// "moons", "gmm:FILE.json", "npy:FILE", "png:DIR". It runs in a scratch
// folder holding one small file of each kind, so specs that name "x.npy",
// "x.idx", "gmm.json" or "png" reach the loaders; other paths mostly do not
// exist. (It changes the working folder: give libFuzzer absolute paths.)
#include <fstream>

#include "apps/data/dataset.h"
#include "apps/io/npy.h"
#include "apps/io/png.h"
#include "fuzz_util.h"
#include "tensor/ops.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool ready = [] {
    std::filesystem::current_path(std::filesystem::path(fuzz::scratch_path("x")).parent_path());
    std::ofstream("gmm.json") << R"({"means": [[-2, 0], [2, 1]], "stds": [0.3, 0.5], "weights": [0.3, 0.7]})";
    apps::write_npy("x.npy", tensor::zeros({4, 2}));
    const char idx[] = {0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4};
    std::ofstream("x.idx", std::ios::binary).write(idx, sizeof idx);
    std::filesystem::create_directories("png");
    apps::write_png("png/a.png", apps::Image(2, 2, 1, 128));
    return true;
  }();
  (void)ready;
  const std::string spec(reinterpret_cast<const char*>(data), size);
  // Without a folder these load the real Fashion-MNIST where it is installed:
  // 60,000 images take longer than -timeout under the sanitizers, and are no parser test.
  const size_t colon = spec.find(':');
  if (spec.rfind("fashion-mnist", 0) == 0 && (colon == std::string::npos || colon + 1 == spec.size())) return 0;
  fuzz::expect_no_crash([&] { apps::load_data(spec, 0, 64); });
  return 0;
}
