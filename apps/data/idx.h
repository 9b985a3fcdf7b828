// IDX files, the format of MNIST and Fashion-MNIST: a 4-byte magic (two zero
// bytes, a type code, the number of dims), the dims as big-endian uint32,
// then the values. We read unsigned-byte image files (type 0x08, 3 dims
// N, H, W), gzip-compressed or plain. Labels are not needed: the models are
// unconditional.
#pragma once
#include <string>

#include "tensor/tensor.h"

namespace apps {

// Reads an IDX image file (.gz or plain) into a float32 (N, 1, H, W) tensor
// with pixels scaled from 0..255 to [-1, 1]. Throws apps::Error naming the
// file and the problem: missing, wrong magic, wrong dims, truncated.
tensor::Tensor read_idx_images(const std::string& path);

}  // namespace apps
