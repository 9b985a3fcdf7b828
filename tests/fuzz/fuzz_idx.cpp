// Fuzz target: IDX image and label files, plain or gzip. The first input
// byte chooses: odd gzips the rest before writing it (so the fuzzer mutates
// IDX structure, not compressed bits), even writes it as it is.
#include <zlib.h>

#include "apps/data/idx.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool gzip = data[0] & 1;
  std::string path;
  if (gzip) {
    path = fuzz::scratch_path("idx.gz");
    gzFile f = gzopen(path.c_str(), "wb");
    if (size > 1) gzwrite(f, data + 1, static_cast<unsigned>(size - 1));
    gzclose(f);
  } else {
    path = fuzz::write_input(data + 1, size - 1, "idx");
  }
  fuzz::expect_no_crash([&] { apps::read_idx_images(path); });
  fuzz::expect_no_crash([&] { apps::read_idx_labels(path); });
  return 0;
}
