// The classifier-free features of `diffuse score --features pixels`: each
// channel's means over a 4 x 4 grid of blocks, so images of any channel
// count (gray or RGB) and any size get C * 16 features. The classifier of
// image_classifier.h is trained on gray labeled sets only (Fashion-MNIST,
// IDX files); this is the score's path for RGB sets, and a cruder one.
#pragma once
#include "tensor/tensor.h"

namespace apps {

inline constexpr int64_t kPixelBlocks = 4;  // blocks per side

// images (N, C, H, W), H and W >= kPixelBlocks, -> (N, C * 16) float32: after
// to_pixel_levels (image_classifier.h), the mean of block (i, j) of channel c,
// the block covering rows [i H / 4, (i + 1) H / 4) and columns likewise.
// `source` names the images in the error for a shape that does not fit.
tensor::Tensor pixel_block_features(const tensor::Tensor& images, const std::string& source);

}  // namespace apps
