// PNG read/write with libpng's simplified API (see png.h), which handles
// palettes, bit depths and interlacing for us.
#include "apps/io/png.h"

#include <png.h>

#include "apps/error.h"

namespace apps {

Image read_png(const std::string& path) {
  png_image info{};
  info.version = PNG_IMAGE_VERSION;
  APPS_CHECK(png_image_begin_read_from_file(&info, path.c_str()), "{}: cannot read PNG: {}", path, info.message);
  const bool color = (info.format & PNG_FORMAT_FLAG_COLOR) != 0;
  info.format = color ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  Image image(static_cast<int>(info.width), static_cast<int>(info.height), color ? 3 : 1);
  // A null background composites alpha onto black.
  const bool ok = png_image_finish_read(&info, nullptr, image.pixels.data(), 0, nullptr);
  if (!ok) png_image_free(&info);
  APPS_CHECK(ok, "{}: cannot decode PNG: {}", path, info.message);
  return image;
}

void write_png(const std::string& path, const Image& image) {
  APPS_CHECK(image.channels == 1 || image.channels == 3, "[write_png] {}: {} channels, need 1 or 3", path,
             image.channels);
  png_image info{};
  info.version = PNG_IMAGE_VERSION;
  info.width = static_cast<png_uint_32>(image.width);
  info.height = static_cast<png_uint_32>(image.height);
  info.format = image.channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  APPS_CHECK(png_image_write_to_file(&info, path.c_str(), 0, image.pixels.data(), 0, nullptr),
             "{}: cannot write PNG: {}", path, info.message);
}

}  // namespace apps
