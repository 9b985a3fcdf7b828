// .npy read and write (see npy.h). The header is a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (64, 2), }
// padded with spaces and a final '\n' so that the data starts on a 64-byte
// boundary. We parse it with plain string searches: it is machine-written,
// but every number in it is checked (whole-token integers, sizes against the
// bytes the file really has) before anything is allocated.
#include "apps/io/npy.h"

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "apps/error.h"
#include "nn/atomic_file.h"
#include "nn/strict_number.h"
#include "tensor/ops.h"

namespace apps {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;

// The text after `'key':` in the header, up to the next top-level ',' or '}'
// (a shape tuple's commas are inside parentheses).
std::string header_value(const std::string& header, const std::string& key, const std::string& path) {
  const size_t at = header.find("'" + key + "'");
  APPS_CHECK(at != std::string::npos, "{}: .npy header has no '{}': {}", path, key, header);
  size_t pos = header.find(':', at);
  APPS_CHECK(pos != std::string::npos, "{}: malformed .npy header: {}", path, header);
  ++pos;
  int depth = 0;
  size_t end = pos;
  for (; end < header.size(); ++end) {
    const char c = header[end];
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth == 0 && (c == ',' || c == '}')) break;
  }
  std::string value = header.substr(pos, end - pos);
  const size_t first = value.find_first_not_of(" '");
  const size_t last = value.find_last_not_of(" '");
  return first == std::string::npos ? "" : value.substr(first, last - first + 1);
}

tensor::Shape parse_shape(const std::string& text, const std::string& path) {
  // "(64, 2)", "(5,)" or "()"
  APPS_CHECK(text.size() >= 2 && text.front() == '(' && text.back() == ')', "{}: malformed .npy shape {}", path,
             text);
  tensor::Shape shape;
  std::stringstream items(text.substr(1, text.size() - 2));
  std::string item;
  while (std::getline(items, item, ',')) {
    const size_t first = item.find_first_not_of(' ');
    if (first == std::string::npos) continue;  // the empty item after "5,"
    const std::string token = item.substr(first, item.find_last_not_of(' ') - first + 1);
    // Whole-token integers: std::stoll read "1e3" as 1 and "2x" as 2.
    try {
      shape.push_back(nn::parse_int64(token, fmt::format("{}: .npy shape {}", path, text), 0));
    } catch (const tensor::Error& e) {
      throw Error(e.what());
    }
  }
  return shape;
}

}  // namespace

tensor::Tensor read_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  APPS_CHECK(in, "{}: cannot open file", path);
  std::error_code size_error;
  const uint64_t file_size = std::filesystem::file_size(path, size_error);
  APPS_CHECK(!size_error, "{}: cannot read the file size: {}", path, size_error.message());
  char prefix[10];
  in.read(prefix, 8);
  APPS_CHECK(in.gcount() == 8 && std::memcmp(prefix, kMagic, kMagicLen) == 0,
             "{}: not a .npy file (no \\x93NUMPY magic)", path);
  const int major = static_cast<unsigned char>(prefix[6]);
  APPS_CHECK(major >= 1 && major <= 3, "{}: unsupported .npy version {}", path, major);
  // Version 1 stores the header length in 2 bytes, versions 2 and 3 in 4 (little-endian).
  const int len_bytes = major == 1 ? 2 : 4;
  unsigned char len_buf[4] = {0, 0, 0, 0};
  in.read(reinterpret_cast<char*>(len_buf), len_bytes);
  APPS_CHECK(in.gcount() == len_bytes, "{}: truncated .npy header", path);
  const uint32_t header_len = len_buf[0] | (len_buf[1] << 8) | (len_buf[2] << 16) | (uint32_t(len_buf[3]) << 24);
  // Check lengths against the file before allocating: a 642-byte file
  // claiming a 4 GB header must not cost 4 GB.
  const uint64_t header_start = 8 + len_bytes;
  APPS_CHECK(header_len <= file_size - header_start,
             "{}: .npy header length {} exceeds the {} bytes left in the file (truncated or corrupt)", path, header_len,
             file_size - header_start);
  std::string header(header_len, '\0');
  in.read(header.data(), header_len);
  APPS_CHECK(static_cast<uint32_t>(in.gcount()) == header_len, "{}: truncated .npy header", path);

  const std::string descr = header_value(header, "descr", path);
  const std::string fortran = header_value(header, "fortran_order", path);
  const tensor::Shape shape = parse_shape(header_value(header, "shape", path), path);
  APPS_CHECK(fortran == "False", "{}: Fortran-ordered .npy arrays are not supported (save with order='C')", path);
  // '<' little-endian, '|' or '=' native; this reader assumes a little-endian host.
  const bool is_f4 = descr == "<f4" || descr == "=f4";
  const bool is_f8 = descr == "<f8" || descr == "=f8";
  APPS_CHECK(is_f4 || is_f8, "{}: .npy dtype '{}' is not supported (need float32 '<f4' or float64 '<f8')", path,
             descr);

  const tensor::DType dtype = is_f4 ? tensor::DType::Float32 : tensor::DType::Float64;
  int64_t numel = 0, bytes = 0;
  try {
    numel = tensor::numel_of(shape);
  } catch (const tensor::Error& e) {
    throw Error(fmt::format("{}: {}", path, e.what()));
  }
  const uint64_t data_left = file_size - header_start - header_len;
  APPS_CHECK(!__builtin_mul_overflow(numel, static_cast<int64_t>(tensor::dtype_size(dtype)), &bytes) &&
                 static_cast<uint64_t>(bytes) <= data_left,
             "{}: truncated .npy data: shape {} needs {} values of {} bytes, the file has {} bytes of data", path,
             tensor::shape_str(shape), numel, tensor::dtype_size(dtype), data_left);
  tensor::Tensor t = tensor::Tensor::empty(shape, dtype);
  in.read(static_cast<char*>(t.raw_data()), bytes);
  APPS_CHECK(in.gcount() == bytes, "{}: truncated .npy data: shape {} needs {} bytes, file has {}", path,
             tensor::shape_str(shape), bytes, in.gcount());
  return dtype == tensor::DType::Float32 ? t : t.to(tensor::DType::Float32);
}

void write_npy(const std::string& path, const tensor::Tensor& t) {
  APPS_CHECK(tensor::is_floating(t.dtype()), "[write_npy] {}: tensor has dtype {}, need a float dtype", path,
             tensor::dtype_name(t.dtype()));
  const tensor::Tensor data = t.to(tensor::DType::Float32).contiguous();

  std::string shape = "(";
  for (int64_t d : data.shape()) shape += std::to_string(d) + ", ";
  if (data.dim() == 1) shape.pop_back();  // "(5,)": a Python 1-tuple keeps its comma
  else if (data.dim() > 1) shape.resize(shape.size() - 2);
  shape += ")";
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad with spaces so magic (6) + version (2) + length (2) + header ends on a multiple of 64.
  const size_t unpadded = kMagicLen + 2 + 2 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';

  std::string bytes(kMagic, kMagicLen);
  bytes += {1, 0};  // version 1.0
  const uint16_t len = static_cast<uint16_t>(header.size());
  bytes += {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
  bytes += header;
  bytes.append(static_cast<const char*>(data.raw_data()), static_cast<size_t>(data.numel()) * 4);
  nn::write_file_atomically(path, bytes);  // complete or absent (Note [Atomic writes])
}

}  // namespace apps
