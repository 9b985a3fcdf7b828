// Image data sets from disk: a folder of PNG files, and Fashion-MNIST (its
// IDX files, read by idx.h). All come back as float32 (N, C, H, W) in
// [-1, 1]. The 2-D sets are in toy2d.h; data names are parsed in dataset.h.
#pragma once
#include <string>

#include "tensor/tensor.h"

namespace apps {

inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// Every *.png in dir (sorted by name), all of one size; gray images give
// C = 1, color ones C = 3 (a folder mixing them is converted to color).
tensor::Tensor read_png_dir(const std::string& dir);

// Fashion-MNIST's 60,000 training (or 10,000 test) images, (N, 1, 28, 28),
// from dir/{train,t10k}-images-idx3-ubyte[.gz].
tensor::Tensor fashion_mnist(const std::string& dir, bool test = false);

}  // namespace apps
