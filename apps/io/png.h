// PNG files through libpng's simplified API (png_image): an 8-bit Image in
// memory, read from and written to disk. Drawing lives in figures.h.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace apps {

// An 8-bit raster, row-major, channels interleaved (1 = gray, 3 = RGB).
struct Image {
  int width = 0, height = 0, channels = 3;
  std::vector<uint8_t> pixels;  // height * width * channels

  Image() = default;
  Image(int width, int height, int channels, uint8_t fill = 255)
      : width(width), height(height), channels(channels), pixels(size_t(width) * height * channels, fill) {}
  uint8_t* at(int x, int y) { return pixels.data() + (size_t(y) * width + x) * channels; }
};

// Reads a PNG as gray (1 channel) if it has no color, else RGB (3 channels);
// alpha is composited onto black, palettes expanded. Throws apps::Error.
Image read_png(const std::string& path);
// The same from a PNG file's bytes; `source` names them in errors. A header
// that claims more pixels than the bytes can hold is refused before allocating.
Image decode_png(const std::string& bytes, const std::string& source);
void write_png(const std::string& path, const Image& image);

}  // namespace apps
