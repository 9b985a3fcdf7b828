// NumPy's .npy format, only as much as `diffuse` needs: one C-ordered
// float32 array (float64 files are read and converted, since NumPy writes
// float64 by default). No Fortran order, no other dtypes, no .npz.
// Format: "\x93NUMPY", version, header length, a Python-dict header.
#pragma once
#include <string>

#include "tensor/tensor.h"

namespace apps {

// Reads a float32 (or float64, converted) array; throws apps::Error naming
// the file and the problem (not .npy, truncated, unsupported dtype).
tensor::Tensor read_npy(const std::string& path);

// Writes t as a little-endian float32 array, version 1.0. Any float dtype.
void write_npy(const std::string& path, const tensor::Tensor& t);

}  // namespace apps
