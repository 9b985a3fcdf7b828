// Block means as features (see pixel_features.h). Plain loops on the host:
// one pass over the pixels, cheap beside any sampler that made them.
#include "apps/commands/pixel_features.h"

#include <vector>

#include "apps/commands/image_classifier.h"
#include "apps/error.h"
#include "tensor/ops.h"

namespace apps {

tensor::Tensor pixel_block_features(const tensor::Tensor& images, const std::string& source) {
  APPS_CHECK(images.dim() == 4 && images.size(2) >= kPixelBlocks && images.size(3) >= kPixelBlocks,
             "{}: --features pixels needs images (N, C, H, W) of at least {} x {} pixels, got {}", source, kPixelBlocks,
             kPixelBlocks, tensor::shape_str(images.shape()));
  const int64_t n = images.size(0), c = images.size(1), h = images.size(2), w = images.size(3);
  const std::vector<float> v =
      to_pixel_levels(images.to(tensor::Device::CPU).to(tensor::DType::Float32)).contiguous().to_vector<float>();
  const int64_t blocks = kPixelBlocks * kPixelBlocks;
  std::vector<double> features(static_cast<size_t>(n * c * blocks), 0.0);
  for (int64_t img = 0; img < n; ++img)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t bi = 0; bi < kPixelBlocks; ++bi)
        for (int64_t bj = 0; bj < kPixelBlocks; ++bj) {
          const int64_t y0 = bi * h / kPixelBlocks, y1 = (bi + 1) * h / kPixelBlocks;
          const int64_t x0 = bj * w / kPixelBlocks, x1 = (bj + 1) * w / kPixelBlocks;
          double sum = 0;
          for (int64_t y = y0; y < y1; ++y)
            for (int64_t x = x0; x < x1; ++x) sum += v[((img * c + ch) * h + y) * w + x];
          features[(img * c + ch) * blocks + bi * kPixelBlocks + bj] = sum / static_cast<double>((y1 - y0) * (x1 - x0));
        }
  return tensor::from_vector(features, {n, c * blocks}, tensor::DType::Float32);
}

}  // namespace apps
