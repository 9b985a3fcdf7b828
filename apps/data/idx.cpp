// IDX image and label readers (see idx.h). zlib's gzread reads plain files unchanged,
// so one code path serves both .gz and uncompressed files.
#include "apps/data/idx.h"

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "apps/error.h"
#include "tensor/ops.h"

namespace apps {
namespace {

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

// Reads up to n bytes; returns how many were read (fewer at end of file).
int64_t read_bytes(gzFile f, void* out, int64_t n, const std::string& path) {
  int64_t done = 0;
  while (done < n) {
    const unsigned chunk = static_cast<unsigned>(std::min<int64_t>(n - done, 1 << 30));
    const int got = gzread(f, static_cast<char*>(out) + done, chunk);
    int errnum = 0;
    const char* msg = gzerror(f, &errnum);
    APPS_CHECK(got >= 0 && errnum <= 0, "{}: cannot decompress: {}", path, msg);
    if (got == 0) break;
    done += got;
  }
  return done;
}

uint32_t big_endian_u32(const unsigned char* b) {
  return (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) | (uint32_t(b[2]) << 8) | uint32_t(b[3]);
}

// Opens an unsigned-byte IDX file of `dims` dims and reads its dims; the
// values follow. `what` names the content in errors ("image", "label").
GzFile open_idx(const std::string& path, int dims, const char* what, std::vector<int64_t>& sizes) {
  APPS_CHECK(std::filesystem::is_regular_file(path), "{}: no such file", path);
  GzFile f(gzopen(path.c_str(), "rb"));
  APPS_CHECK(f, "{}: cannot open file", path);
  unsigned char magic[4];
  APPS_CHECK(read_bytes(f.get(), magic, 4, path) == 4, "{}: truncated IDX file (no 4-byte magic)", path);
  APPS_CHECK(magic[0] == 0 && magic[1] == 0 && magic[2] == 0x08,
             "{}: wrong magic {:02x}{:02x}{:02x}{:02x} (an unsigned-byte IDX file starts 000008..)", path, magic[0],
             magic[1], magic[2], magic[3]);
  APPS_CHECK(magic[3] == dims, "{}: IDX file has {} dims, {} file has {}", path, int(magic[3]), what, dims);
  std::vector<unsigned char> dim_bytes(4 * dims);
  APPS_CHECK(read_bytes(f.get(), dim_bytes.data(), 4 * dims, path) == 4 * dims, "{}: truncated IDX header", path);
  sizes.clear();
  for (int d = 0; d < dims; ++d) sizes.push_back(big_endian_u32(dim_bytes.data() + 4 * d));
  return f;
}

// The n values that follow the header, read in pieces so that memory grows
// with the bytes really there: a 1 KB file claiming (1000000, 64, 64) must
// fail at its end, not after allocating 4 GB (a gzip stream's decompressed
// size is unknown until it is read).
std::vector<uint8_t> read_values(gzFile f, int64_t n, const std::string& path, const std::vector<int64_t>& sizes) {
  constexpr int64_t kPiece = int64_t{1} << 20;
  std::vector<uint8_t> values;
  int64_t got = 0;
  while (got < n) {
    const int64_t want = std::min(kPiece, n - got);
    values.resize(static_cast<size_t>(got + want));
    const int64_t read = read_bytes(f, values.data() + got, want, path);
    got += read;
    if (read < want) break;
  }
  APPS_CHECK(got == n, "{}: truncated IDX data: header says ({}) = {} bytes, file has {}", path,
             fmt::join(sizes, ", "), n, got);
  return values;
}

}  // namespace

tensor::Tensor read_idx_images(const std::string& path) {
  std::vector<int64_t> sizes;
  GzFile f = open_idx(path, 3, "an image", sizes);
  const int64_t n = sizes[0], h = sizes[1], w = sizes[2];
  APPS_CHECK(n > 0 && h > 0 && w > 0 && h <= 4096 && w <= 4096, "{}: implausible IDX image dims ({}, {}, {})", path,
             n, h, w);
  const std::vector<uint8_t> pixels = read_values(f.get(), n * h * w, path, sizes);
  tensor::Tensor out = tensor::Tensor::empty({n, 1, h, w});
  float* dst = out.data<float>();
  for (size_t i = 0; i < pixels.size(); ++i) dst[i] = pixels[i] / 127.5f - 1.0f;  // 0..255 -> [-1, 1]
  return out;
}

tensor::Tensor read_idx_labels(const std::string& path) {
  std::vector<int64_t> sizes;
  GzFile f = open_idx(path, 1, "a label", sizes);
  APPS_CHECK(sizes[0] > 0, "{}: IDX label file holds no labels", path);
  const std::vector<uint8_t> bytes = read_values(f.get(), sizes[0], path, sizes);
  return tensor::from_vector(std::vector<int64_t>(bytes.begin(), bytes.end()), {sizes[0]});
}

}  // namespace apps
