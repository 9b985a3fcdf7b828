// Safetensors reading and writing (see safetensors.h). The reader trusts
// nothing in the file: every length and offset is checked against the bytes
// actually present before anything is copied, as the reference
// implementation does (offsets must tile the data section exactly).
#include "nn/safetensors.h"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "nn/atomic_file.h"

namespace nn {

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian; a big-endian host would need byte swaps");

namespace {

using nlohmann::json;

const char* dtype_code(DType d) {
  switch (d) {
    case DType::Float32:
      return "F32";
    case DType::Float64:
      return "F64";
    case DType::Int64:
      return "I64";
  }
  return "?";
}

bool parse_dtype_code(const std::string& code, DType& out) {
  if (code == "F32")
    out = DType::Float32;
  else if (code == "F64")
    out = DType::Float64;
  else if (code == "I64")
    out = DType::Int64;
  else
    return false;
  return true;
}

// Header entries in the order their bytes appear.
struct Entry {
  std::string name;
  DType dtype;
  Shape shape;
  uint64_t begin, end;
};

Entry parse_entry(const std::string& source, const std::string& name, const json& value, uint64_t data_size) {
  auto fail = [&](const std::string& why) {
    return tensor::Error(fmt::format("[safetensors] {}: tensor '{}': {}", source, name, why));
  };
  if (!value.is_object()) throw fail("header entry is not a JSON object");
  if (!value.contains("dtype") || !value["dtype"].is_string()) throw fail("no string 'dtype'");
  if (!value.contains("shape") || !value["shape"].is_array()) throw fail("no 'shape' array");
  if (!value.contains("data_offsets") || !value["data_offsets"].is_array() || value["data_offsets"].size() != 2)
    throw fail("no 'data_offsets' pair");
  Entry e;
  e.name = name;
  const std::string code = value["dtype"].get<std::string>();
  if (!parse_dtype_code(code, e.dtype)) throw fail(fmt::format("dtype '{}' is not supported (F32, F64, I64)", code));
  uint64_t numel = 1;
  for (const json& d : value["shape"]) {
    if (!d.is_number_unsigned())
      throw fail(fmt::format("shape {} has a non-integer or negative entry", value["shape"].dump()));
    const uint64_t size = d.get<uint64_t>();
    if (size > (uint64_t{1} << 40) || __builtin_mul_overflow(numel, size, &numel))
      throw fail(fmt::format("shape {} is too large", value["shape"].dump()));
    e.shape.push_back(static_cast<int64_t>(size));
  }
  for (const json& o : value["data_offsets"])
    if (!o.is_number_unsigned())
      throw fail(fmt::format("data_offsets {} are not non-negative integers", value["data_offsets"].dump()));
  e.begin = value["data_offsets"][0].get<uint64_t>();
  e.end = value["data_offsets"][1].get<uint64_t>();
  if (e.begin > e.end || e.end > data_size)
    throw fail(
        fmt::format("data_offsets [{}, {}] lie outside the data section of {} bytes", e.begin, e.end, data_size));
  uint64_t nbytes = 0;
  if (__builtin_mul_overflow(numel, tensor::dtype_size(e.dtype), &nbytes) || nbytes != e.end - e.begin)
    throw fail(fmt::format("data_offsets [{}, {}] hold {} bytes, but {} {} needs {}", e.begin, e.end, e.end - e.begin,
                           code, tensor::shape_str(e.shape), numel * tensor::dtype_size(e.dtype)));
  return e;
}

}  // namespace

std::string serialize_safetensors(const StateDict& tensors, const Metadata& metadata) {
  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  std::vector<Tensor> contiguous;
  for (const auto& [name, t] : tensors) {  // StateDict is sorted: a stable layout
    TENSOR_CHECK(name != "__metadata__" && !name.empty(), "[safetensors] invalid tensor name '{}'", name);
    TENSOR_CHECK(t.defined(), "[safetensors] tensor '{}' is undefined", name);
    const uint64_t nbytes = static_cast<uint64_t>(t.numel()) * tensor::dtype_size(t.dtype());
    header[name] = {
        {"dtype", dtype_code(t.dtype())}, {"shape", t.shape()}, {"data_offsets", {offset, offset + nbytes}}};
    offset += nbytes;
    contiguous.push_back(t.to(tensor::Device::CPU).contiguous());  // the file is written from host copies
  }
  std::string text = header.dump();
  // Pad with spaces so the data section starts 8-byte aligned (as the reference writer does).
  text.append((8 - text.size() % 8) % 8, ' ');
  std::string out(8, '\0');
  const uint64_t n = text.size();
  std::memcpy(out.data(), &n, 8);
  out += text;
  out.reserve(out.size() + offset);
  for (const Tensor& t : contiguous)
    out.append(static_cast<const char*>(t.raw_data()), static_cast<size_t>(t.numel()) * tensor::dtype_size(t.dtype()));
  return out;
}

SafetensorsContents parse_safetensors(const std::string& bytes, const std::string& source) {
  auto fail = [&](const std::string& why) { return tensor::Error(fmt::format("[safetensors] {}: {}", source, why)); };
  if (bytes.size() < 8) throw fail(fmt::format("{} bytes is too short for the 8-byte header length", bytes.size()));
  uint64_t header_size = 0;
  std::memcpy(&header_size, bytes.data(), 8);
  if (header_size > bytes.size() - 8)
    throw fail(fmt::format("header length {} exceeds the {} bytes after it (truncated or not a safetensors file)",
                           header_size, bytes.size() - 8));
  const uint64_t data_start = 8 + header_size, data_size = bytes.size() - data_start;
  json header;
  try {
    header = json::parse(bytes.begin() + 8, bytes.begin() + static_cast<std::ptrdiff_t>(data_start));
  } catch (const json::exception& e) {
    throw fail(fmt::format("header is not valid JSON ({})", e.what()));
  }
  if (!header.is_object()) throw fail("header is not a JSON object");

  SafetensorsContents out;
  std::vector<Entry> entries;
  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") {
      if (!value.is_object()) throw fail("__metadata__ is not a JSON object");
      for (const auto& [key, v] : value.items()) {
        if (!v.is_string()) throw fail(fmt::format("metadata '{}' is not a string", key));
        out.metadata[key] = v.get<std::string>();
      }
      continue;
    }
    entries.push_back(parse_entry(source, name, value, data_size));
  }
  // The tensors must tile the data section: no overlap, no gap, no trailing bytes.
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.begin != b.begin ? a.begin < b.begin : a.end < b.end; });
  uint64_t expected = 0;
  std::string previous = "the start of the data section";
  for (const Entry& e : entries) {
    if (e.begin < expected)
      throw fail(fmt::format("tensor '{}' at [{}, {}] overlaps {}", e.name, e.begin, e.end, previous));
    if (e.begin > expected)
      throw fail(fmt::format("tensor '{}' starts at byte {}, leaving a gap after {} (which ends at {})", e.name,
                             e.begin, previous, expected));
    expected = e.end;
    previous = "tensor '" + e.name + "'";
  }
  if (expected != data_size)
    throw fail(fmt::format("the data section has {} bytes but the tensors cover {}", data_size, expected));

  for (const Entry& e : entries) {
    Tensor t = Tensor::empty(e.shape, e.dtype);
    if (e.end > e.begin) std::memcpy(t.raw_data(), bytes.data() + data_start + e.begin, e.end - e.begin);
    out.tensors[e.name] = t;
  }
  return out;
}

void save_safetensors(const std::string& path, const StateDict& tensors, const Metadata& metadata) {
  try {
    write_file_atomically(path, serialize_safetensors(tensors, metadata));
  } catch (const tensor::Error& e) {
    throw tensor::Error(fmt::format("[safetensors] {}", e.what()));
  }
}

SafetensorsContents load_safetensors(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  TENSOR_CHECK(in.good(), "[safetensors] cannot open '{}'", path);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  TENSOR_CHECK(!in.bad(), "[safetensors] reading '{}' failed", path);
  return parse_safetensors(buffer.str(), path);
}

}  // namespace nn
