// IDX files, MNIST's format: a 4-byte magic (0, 0, type code, number of
// dims), the dims as big-endian uint32, then the values. We read unsigned-
// byte files, gzipped or plain: images (type 0x08, dims N, H, W) and class
// labels (type 0x08, dims N), the latter only for the classifier of the
// sample-quality metric (the diffusion models are unconditional).
#pragma once
#include <string>

#include "tensor/tensor.h"

namespace apps {

// Reads an IDX image file (.gz or plain) into a float32 (N, 1, H, W) tensor
// with pixels scaled from 0..255 to [-1, 1]. Throws apps::Error naming the
// file and the problem: missing, wrong magic, wrong dims, truncated.
tensor::Tensor read_idx_images(const std::string& path);

// Reads an IDX label file (.gz or plain) into an Int64 (N) tensor of the
// bytes' values. Errors as read_idx_images.
tensor::Tensor read_idx_labels(const std::string& path);

}  // namespace apps
