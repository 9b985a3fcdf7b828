// Loading the image sets of image_sets.h into one tensor in memory: 60,000
// 28x28 images are 188 MB as float32, fine for a CPU trainer.
#include "apps/data/image_sets.h"

#include <algorithm>
#include <filesystem>
#include <vector>

#include "apps/data/idx.h"
#include "apps/error.h"
#include "apps/io/png.h"

namespace apps {

namespace fs = std::filesystem;

tensor::Tensor read_png_dir(const std::string& dir) {
  APPS_CHECK(fs::is_directory(dir), "{}: no such directory", dir);
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file() && entry.path().extension() == ".png") files.push_back(entry.path());
  APPS_CHECK(!files.empty(), "{}: no .png files in this directory", dir);
  std::sort(files.begin(), files.end());

  std::vector<Image> images;
  images.reserve(files.size());
  int channels = 1;
  for (const auto& file : files) {
    images.push_back(read_png(file.string()));
    const Image& first = images.front();
    const Image& img = images.back();
    APPS_CHECK(img.width == first.width && img.height == first.height, "{}: image is {}x{}, but {} is {}x{}",
               file.string(), img.width, img.height, files.front().string(), first.width, first.height);
    channels = std::max(channels, img.channels);
  }
  const int64_t n = static_cast<int64_t>(images.size()), h = images[0].height, w = images[0].width;
  tensor::Tensor out = tensor::Tensor::empty({n, channels, h, w});
  float* dst = out.data<float>();
  for (int64_t i = 0; i < n; ++i) {
    Image& img = images[i];
    for (int c = 0; c < channels; ++c)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x) {
          // A gray image in a color set repeats its one channel.
          const uint8_t v = img.at(static_cast<int>(x), static_cast<int>(y))[img.channels == 1 ? 0 : c];
          dst[((i * channels + c) * h + y) * w + x] = v / 127.5f - 1.0f;  // 0..255 -> [-1, 1]
        }
  }
  return out;
}

tensor::Tensor fashion_mnist(const std::string& dir, bool test) {
  APPS_CHECK(fs::is_directory(dir), "{}: no such directory (Fashion-MNIST's IDX files go there)", dir);
  const std::string stem = (fs::path(dir) / (test ? "t10k-images-idx3-ubyte" : "train-images-idx3-ubyte")).string();
  const std::string path = fs::exists(stem + ".gz") ? stem + ".gz" : stem;
  return read_idx_images(path);
}

}  // namespace apps
