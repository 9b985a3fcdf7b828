// .npy read and write (see npy.h). The header is a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (64, 2), }
// padded with spaces and a final '\n' so that the data starts on a 64-byte
// boundary. We parse it with plain string searches: it is machine-written.
#include "apps/io/npy.h"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "apps/error.h"
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
    if (item.find_first_not_of(' ') == std::string::npos) continue;  // the empty item after "5,"
    try {
      const long long n = std::stoll(item);
      APPS_CHECK(n >= 0, "{}: negative size in .npy shape {}", path, text);
      shape.push_back(n);
    } catch (const std::logic_error&) {
      throw Error(fmt::format("{}: malformed .npy shape {}", path, text));
    }
  }
  return shape;
}

}  // namespace

tensor::Tensor read_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  APPS_CHECK(in, "{}: cannot open file", path);
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
  tensor::Tensor t = tensor::Tensor::empty(shape, dtype);
  const std::streamsize bytes = static_cast<std::streamsize>(t.numel() * tensor::dtype_size(dtype));
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

  std::ofstream out(path, std::ios::binary);
  APPS_CHECK(out, "{}: cannot open for writing", path);
  out.write(kMagic, kMagicLen);
  const char version[2] = {1, 0};
  out.write(version, 2);
  const uint16_t len = static_cast<uint16_t>(header.size());
  const char len_bytes[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
  out.write(len_bytes, 2);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  out.write(static_cast<const char*>(data.raw_data()), static_cast<std::streamsize>(data.numel() * 4));
  APPS_CHECK(out.good(), "{}: write failed", path);
}

}  // namespace apps
