// PNG read/write with libpng's simplified API (see png.h), which handles
// palettes, bit depths and interlacing for us. The reader checks the size a
// header declares against the bytes the file has before it allocates.
#include "apps/io/png.h"

#include <png.h>

#include <fstream>
#include <sstream>

#include "apps/error.h"
#include "nn/atomic_file.h"

namespace apps {
namespace {

// Deflate expands one byte into at most 1032; one raw byte holds up to 8
// pixels (1-bit gray), and each may become 3 bytes (a palette into RGB). A
// real PNG therefore decodes to at most this many bytes per byte of file.
constexpr uint64_t kMaxExpansion = 1032 * 8 * 3;
constexpr png_uint_32 kMaxSide = 16384;

}  // namespace

Image decode_png(const std::string& bytes, const std::string& source) {
  png_image info{};
  info.version = PNG_IMAGE_VERSION;
  APPS_CHECK(png_image_begin_read_from_memory(&info, bytes.data(), bytes.size()), "{}: cannot read PNG: {}", source,
             info.message);
  const bool color = (info.format & PNG_FORMAT_FLAG_COLOR) != 0;
  const int channels = color ? 3 : 1;
  const uint64_t decoded = uint64_t{info.width} * info.height * channels;
  if (info.width > kMaxSide || info.height > kMaxSide || decoded > kMaxExpansion * bytes.size()) {
    png_image_free(&info);
    throw Error(fmt::format("{}: PNG header claims {}x{} pixels, more than {} bytes of file can hold (corrupt?)",
                            source, info.width, info.height, bytes.size()));
  }
  info.format = color ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  Image image(static_cast<int>(info.width), static_cast<int>(info.height), channels);
  // A null background composites alpha onto black.
  const bool ok = png_image_finish_read(&info, nullptr, image.pixels.data(), 0, nullptr);
  if (!ok) png_image_free(&info);
  APPS_CHECK(ok, "{}: cannot decode PNG: {}", source, info.message);
  return image;
}

Image read_png(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  APPS_CHECK(in, "{}: cannot open file", path);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  APPS_CHECK(!in.bad(), "{}: read failed", path);
  return decode_png(bytes.str(), path);
}

void write_png(const std::string& path, const Image& image) {
  APPS_CHECK(image.channels == 1 || image.channels == 3, "[write_png] {}: {} channels, need 1 or 3", path,
             image.channels);
  png_image info{};
  info.version = PNG_IMAGE_VERSION;
  info.width = static_cast<png_uint_32>(image.width);
  info.height = static_cast<png_uint_32>(image.height);
  info.format = image.channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  // Complete or absent (Note [Atomic writes]).
  nn::write_file_atomically(
      path, [&](std::FILE* f) { return png_image_write_to_stdio(&info, f, 0, image.pixels.data(), 0, nullptr) != 0; });
}

}  // namespace apps
