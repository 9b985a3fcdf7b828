// Safetensors files: the checkpoint format (https://github.com/huggingface/safetensors).
//   bytes 0..7   N, the header length, unsigned 64-bit little-endian
//   bytes 8..8+N a JSON object: {"name": {"dtype": "F32"|"F64"|"I64",
//                "shape": [..], "data_offsets": [begin, end]}, ...,
//                "__metadata__": {"key": "string value", ...}}
//   the rest     the data section: each tensor's bytes, row-major, little-endian,
//                at [begin, end) relative to the start of the section.
// This file reads and writes whole files of named tensors; module-level
// checkpoints (model + optimizer + metadata) are in checkpoint.h.
#pragma once
#include <map>
#include <string>

#include "nn/module.h"

namespace nn {

using Metadata = std::map<std::string, std::string>;

struct SafetensorsContents {
  StateDict tensors;
  Metadata metadata;
};

// Writes to a temporary file in the same directory, then renames it over
// `path`, so a crash mid-write never leaves a half-written checkpoint.
void save_safetensors(const std::string& path, const StateDict& tensors, const Metadata& metadata = {});
// Reads and validates a whole file; any inconsistency (truncation, a bad
// header length, malformed JSON, an unknown dtype, offsets outside the data
// section, overlapping or missing bytes) throws tensor::Error naming the
// file and, where there is one, the tensor.
SafetensorsContents load_safetensors(const std::string& path);

// The same, in memory: the file's bytes. `source` names the bytes in errors.
std::string serialize_safetensors(const StateDict& tensors, const Metadata& metadata = {});
SafetensorsContents parse_safetensors(const std::string& bytes, const std::string& source = "<memory>");

}  // namespace nn
