// Safetensors round trips and the reader's defences: every malformed file
// is a tensor::Error naming the file (and the tensor, where there is one).
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "nn/checkpoint.h"
#include "nn/nn.h"
#include "nn/optim/adam.h"

using namespace nn;
namespace t = tensor;
namespace fs = std::filesystem;

namespace {
template <typename F>
void expect_error(F&& f, const std::vector<std::string>& needles) {
  try {
    f();
    ADD_FAILURE() << "expected an error";
  } catch (const t::Error& e) {
    for (const auto& needle : needles)
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << "'" << needle << "' not in: " << e.what();
  }
}

std::string temp_path(const std::string& name) {
  const fs::path dir = fs::path(testing::TempDir()) / "nn_safetensors_test";
  fs::create_directories(dir);
  return (dir / name).string();
}

StateDict sample_tensors() {
  return {{"a", t::from_list({1, 2, 3, 4, 5, 6}).reshape({2, 3})},
          {"b", t::from_list({0.25, -1.5}, DType::Float64)},
          {"c", t::from_vector(std::vector<int64_t>{7, -8, 9}, {3})},
          {"empty", t::zeros({0, 4})}};
}

// The header JSON and the data section of a serialized file.
std::pair<std::string, std::string> split(const std::string& bytes) {
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  return {bytes.substr(8, n), bytes.substr(8 + n)};
}
std::string join(const std::string& header, const std::string& data) {
  std::string out(8, '\0');
  const uint64_t n = header.size();
  std::memcpy(out.data(), &n, 8);
  return out + header + data;
}
// Replaces the first occurrence of `from` in the header.
std::string edit_header(const std::string& bytes, const std::string& from, const std::string& to) {
  auto [header, data] = split(bytes);
  const size_t at = header.find(from);
  EXPECT_NE(at, std::string::npos) << from << " not in " << header;
  header.replace(at, from.size(), to);
  return join(header, data);
}
}  // namespace

TEST(Safetensors, RoundTripAllDtypesAndMetadata) {
  const std::string path = temp_path("round_trip.safetensors");
  save_safetensors(path, sample_tensors(), {{"step", "42"}, {"config", R"({"width": 64})"}});
  SafetensorsContents back = load_safetensors(path);
  EXPECT_EQ(back.metadata.at("step"), "42");
  EXPECT_EQ(back.metadata.at("config"), R"({"width": 64})");
  ASSERT_EQ(back.tensors.size(), 4u);
  for (const auto& [name, tensor] : sample_tensors()) {
    const Tensor& got = back.tensors.at(name);
    EXPECT_EQ(got.dtype(), tensor.dtype()) << name;
    EXPECT_EQ(got.shape(), tensor.shape()) << name;
    EXPECT_EQ(got.to_vector<double>(), tensor.to_vector<double>()) << name;
  }
  // The header starts the data section 8-byte aligned, and no temporary file is left behind.
  EXPECT_EQ(split(serialize_safetensors(sample_tensors())).first.size() % 8, 0u);
  for (const auto& entry : fs::directory_iterator(fs::path(path).parent_path()))
    EXPECT_EQ(entry.path().string().find(".tmp-"), std::string::npos) << entry.path();
}

TEST(Safetensors, NonContiguousTensorsAreWrittenInLogicalOrder) {
  Tensor x = t::from_list({1, 2, 3, 4, 5, 6}).reshape({2, 3}).t();  // (3, 2) view
  SafetensorsContents back = parse_safetensors(serialize_safetensors({{"x", x}}));
  EXPECT_EQ(back.tensors.at("x").to_vector<float>(), x.to_vector<float>());
}

TEST(Safetensors, TruncatedFile) {
  const std::string bytes = serialize_safetensors(sample_tensors());
  expect_error([&] { parse_safetensors(bytes.substr(0, 5), "f.st"); }, {"f.st", "too short"});
  expect_error([&] { parse_safetensors(bytes.substr(0, 40), "f.st"); }, {"f.st", "header length"});
  // Header intact but data cut short: the last tensor's offsets run past the end.
  expect_error([&] { parse_safetensors(bytes.substr(0, bytes.size() - 4), "f.st"); }, {"f.st", "outside the data section"});
}

TEST(Safetensors, BadHeaderLength) {
  std::string bytes = serialize_safetensors(sample_tensors());
  const uint64_t huge = uint64_t{1} << 62;
  std::memcpy(bytes.data(), &huge, 8);
  expect_error([&] { parse_safetensors(bytes, "f.st"); }, {"header length 4611686018427387904"});
  const uint64_t short_len = 10;  // inside the JSON: not parseable
  std::memcpy(bytes.data(), &short_len, 8);
  expect_error([&] { parse_safetensors(bytes, "f.st"); }, {"not valid JSON"});
}

TEST(Safetensors, MalformedJson) {
  const std::string bytes = serialize_safetensors(sample_tensors());
  expect_error([&] { parse_safetensors(join("[1, 2]", ""), "f.st"); }, {"not a JSON object"});
  expect_error([&] { parse_safetensors(edit_header(bytes, "\"shape\"", "\"shap\""), "f.st"); }, {"no 'shape'"});
  expect_error([&] { parse_safetensors(edit_header(bytes, "{\"data_offsets\"", "{{\"data_offsets\""), "f.st"); },
               {"not valid JSON"});
}

TEST(Safetensors, OffsetsOutOfRangeOrInconsistent) {
  const std::string bytes = serialize_safetensors({{"a", t::zeros({2, 3})}});  // offsets [0,24]
  expect_error([&] { parse_safetensors(edit_header(bytes, "[0,24]", "[0,2400]"), "f.st"); },
               {"tensor 'a'", "outside the data section"});
  expect_error([&] { parse_safetensors(edit_header(bytes, "[0,24]", "[4,24]"), "f.st"); }, {"tensor 'a'", "needs 24"});
  expect_error([&] { parse_safetensors(edit_header(bytes, "[0,24]", "[24,0]"), "f.st"); }, {"tensor 'a'"});
  expect_error([&] { parse_safetensors(edit_header(bytes, "[0,24]", "[-1,23]"), "f.st"); }, {"tensor 'a'"});
  expect_error([&] { parse_safetensors(edit_header(bytes, "[2,3]", "[3,3]"), "f.st"); }, {"tensor 'a'", "needs 36"});
}

TEST(Safetensors, OverlapsAndGaps) {
  // Two 8-byte tensors, hand-written headers.
  const std::string data(16, '\0');
  const std::string overlap =
      R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"y":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})";
  expect_error([&] { parse_safetensors(join(overlap, data), "f.st"); }, {"tensor 'y'", "overlaps tensor 'x'"});
  const std::string gap =
      R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"y":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}})";
  expect_error([&] { parse_safetensors(join(gap, data), "f.st"); }, {"tensor 'y'", "gap"});
  const std::string trailing = R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  expect_error([&] { parse_safetensors(join(trailing, data), "f.st"); }, {"16 bytes", "cover 8"});
}

TEST(Safetensors, UnknownDtype) {
  const std::string bytes = serialize_safetensors({{"a", t::zeros({2})}});
  expect_error([&] { parse_safetensors(edit_header(bytes, "F32", "F16"), "f.st"); },
               {"tensor 'a'", "dtype 'F16' is not supported"});
}

TEST(Safetensors, MissingFileIsAnError) {
  expect_error([&] { load_safetensors(temp_path("does_not_exist.safetensors")); }, {"cannot open"});
}

TEST(Checkpoint, ModuleRoundTripWithOptimizerAndMetadata) {
  t::Generator gen(0);
  MLP2D model(MLP2DConfig{2, 16, 8, 2}, gen);
  AdamW opt(model.named_parameters());
  for (auto& p : model.parameters()) p.set_grad(t::ones_like(p.data()));
  opt.step();
  Checkpoint ckpt;
  ckpt.metadata["step"] = "1";
  ckpt.metadata["config"] = model.config().to_json();
  put_optimizer_state(ckpt, opt);
  const std::string path = temp_path("model.safetensors");
  save_checkpoint(path, model, ckpt);

  t::Generator other(9);
  MLP2D restored(MLP2DConfig::from_json(ckpt.metadata.at("config")), other);
  AdamW opt2(restored.named_parameters());
  Checkpoint back = load_checkpoint(path, restored);
  restore_optimizer_state(back, opt2);
  EXPECT_EQ(back.metadata.at("step"), "1");
  EXPECT_EQ(opt2.step_count(), 1);
  for (auto& [name, v] : model.state_dict()) EXPECT_EQ(v.to_vector<float>(), restored.state_dict().at(name).to_vector<float>());
  for (auto& [name, v] : opt.state_dict()) EXPECT_EQ(v.to_vector<float>(), opt2.state_dict().at(name).to_vector<float>());
}

TEST(Checkpoint, MismatchesNameTheFileAndTensor) {
  t::Generator gen(0);
  MLP2D model(MLP2DConfig{2, 16, 8, 2}, gen);
  const std::string path = temp_path("mismatch.safetensors");
  StateDict sd = model.state_dict();

  StateDict missing = sd;
  missing.erase("net.2.bias");
  save_safetensors(path, missing);
  expect_error([&] { load_checkpoint(path, model); }, {path, "missing tensor 'net.2.bias'"});

  StateDict unexpected = sd;
  unexpected["net.7.weight"] = t::zeros({2});
  save_safetensors(path, unexpected);
  expect_error([&] { load_checkpoint(path, model); }, {path, "unexpected tensor 'net.7.weight'"});

  StateDict shape = sd;
  shape["net.0.weight"] = t::zeros({16, 11});
  save_safetensors(path, shape);
  expect_error([&] { load_checkpoint(path, model); }, {path, "'net.0.weight' has shape (16, 11)"});

  StateDict dtype = sd;
  dtype["net.4.weight"] = sd.at("net.4.weight").to(DType::Float64);
  save_safetensors(path, dtype);
  expect_error([&] { load_checkpoint(path, model); }, {path, "'net.4.weight' has dtype float64"});

  // Extra tensors need a "group:" prefix to be told apart from the model's.
  Checkpoint bad;
  bad.extra["exp_avg"] = t::zeros({1});
  expect_error([&] { save_checkpoint(path, model, bad); }, {"'group:' prefix"});
}
