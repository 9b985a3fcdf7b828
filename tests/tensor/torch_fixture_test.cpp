// Forward values against PyTorch. tests/fixtures/tensor_ops.json (written by
// tests/fixtures/make_tensor_fixtures.py) holds inputs and PyTorch's float64
// outputs for each case; every case runs here in float64 (to 1e-9) and in
// float32 (to 1e-5 of the output's scale) and becomes one named test.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>

#include "tensor/ops.h"

using namespace tensor;
using nlohmann::json;

namespace {

const json& fixtures() {
  static const json cases = [] {
    std::ifstream in(std::string(DIFFUSE_FIXTURES_DIR) + "/tensor_ops.json");
    if (!in) return json::array();  // the Loads test below reports it
    return json::parse(in)["cases"];
  }();
  return cases;
}

Tensor to_tensor(const json& packed, DType dtype) {
  return from_vector(packed["data"].get<std::vector<double>>(), packed["shape"].get<Shape>(), dtype);
}

std::vector<int64_t> dims_of(const json& params) { return params["dims"].get<std::vector<int64_t>>(); }

// One entry per op in the fixture file: inputs and params in, outputs out.
using OpFn = std::function<std::vector<Tensor>(const std::vector<Tensor>&, const json&)>;
const std::map<std::string, OpFn>& ops() {
  static const std::map<std::string, OpFn> table = {
      {"matmul", [](auto& in, auto&) -> std::vector<Tensor> { return {matmul(in[0], in[1])}; }},
      {"conv2d",
       [](auto& in, auto& p) -> std::vector<Tensor> {
         return {conv2d(in[0], in[1], in.size() > 2 ? in[2] : Tensor(), p["stride"], p["padding"])};
       }},
      {"conv2d_backward",  // inputs g, x, w; outputs grad_x, grad_w
       [](auto& in, auto& p) -> std::vector<Tensor> {
         return {conv2d_backward_input(in[0], in[2], in[1].shape(), p["stride"], p["padding"]),
                 conv2d_backward_weight(in[0], in[1], in[2].shape(), p["stride"], p["padding"])};
       }},
      {"softmax", [](auto& in, auto& p) -> std::vector<Tensor> { return {softmax(in[0], p["dim"])}; }},
      {"log_softmax", [](auto& in, auto& p) -> std::vector<Tensor> { return {log_softmax(in[0], p["dim"])}; }},
      {"sum", [](auto& in, auto& p) -> std::vector<Tensor> { return {sum(in[0], dims_of(p), p["keepdim"])}; }},
      {"mean", [](auto& in, auto& p) -> std::vector<Tensor> { return {mean(in[0], dims_of(p), p["keepdim"])}; }},
      {"amax", [](auto& in, auto& p) -> std::vector<Tensor> { return {amax(in[0], dims_of(p), p["keepdim"])}; }},
      {"amin", [](auto& in, auto& p) -> std::vector<Tensor> { return {amin(in[0], dims_of(p), p["keepdim"])}; }},
      {"var",
       [](auto& in, auto& p) -> std::vector<Tensor> {
         return {var(in[0], dims_of(p), p["keepdim"], p["correction"])};
       }},
      {"gelu", [](auto& in, auto&) -> std::vector<Tensor> { return {gelu(in[0])}; }},
      {"silu", [](auto& in, auto&) -> std::vector<Tensor> { return {silu(in[0])}; }},
      {"sigmoid", [](auto& in, auto&) -> std::vector<Tensor> { return {sigmoid(in[0])}; }},
      {"tanh", [](auto& in, auto&) -> std::vector<Tensor> { return {tanh(in[0])}; }},
      {"exp", [](auto& in, auto&) -> std::vector<Tensor> { return {exp(in[0])}; }},
      {"erf", [](auto& in, auto&) -> std::vector<Tensor> { return {erf(in[0])}; }},
      {"log", [](auto& in, auto&) -> std::vector<Tensor> { return {log(in[0])}; }},
      {"rsqrt", [](auto& in, auto&) -> std::vector<Tensor> { return {rsqrt(in[0])}; }},
      {"upsample_nearest2d",
       [](auto& in, auto& p) -> std::vector<Tensor> { return {upsample_nearest2d(in[0], p["scale"])}; }},
      {"upsample_nearest2d_backward",
       [](auto& in, auto& p) -> std::vector<Tensor> { return {upsample_nearest2d_backward(in[0], p["scale"])}; }},
  };
  return table;
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const json& c : fixtures()) names.push_back(c["name"]);
  return names;
}

const json& find_case(const std::string& name) {
  for (const json& c : fixtures())
    if (c["name"] == name) return c;
  throw std::runtime_error("no fixture case " + name);
}

// |got - want| <= rtol * (|want| + scale), scale = the mean |want| of the
// output: relative where values are large, and no demand for digits that
// cancellation in a sum of products cannot give where they are near zero.
void expect_matches(const std::string& what, const Tensor& got, const json& want, double rtol) {
  ASSERT_EQ(got.shape(), want["shape"].get<Shape>()) << what;
  const std::vector<double> g = got.to_vector<double>();
  const std::vector<double> w = want["data"].get<std::vector<double>>();
  double scale = 0;
  for (double v : w) scale += std::abs(v) / static_cast<double>(w.size());
  int reported = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    const bool ok = std::abs(g[i] - w[i]) <= rtol * (std::abs(w[i]) + scale);
    EXPECT_TRUE(ok || reported >= 3) << what << " element " << i << ": got " << g[i] << ", PyTorch " << w[i];
    if (!ok) ++reported;
  }
}

class TorchFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(TorchFixture, MatchesPyTorch) {
  const json& c = find_case(GetParam());
  const std::string op = c["op"];
  ASSERT_TRUE(ops().count(op)) << "no C++ entry for op " << op;
  for (auto [dtype, rtol] : {std::pair{DType::Float64, 1e-9}, std::pair{DType::Float32, 1e-5}}) {
    std::vector<Tensor> inputs;
    for (const json& packed : c["inputs"]) inputs.push_back(to_tensor(packed, dtype));
    const std::vector<Tensor> outputs = ops().at(op)(inputs, c["params"]);
    ASSERT_EQ(outputs.size(), c["outputs"].size());
    for (size_t k = 0; k < outputs.size(); ++k) {
      EXPECT_EQ(outputs[k].dtype(), dtype);
      expect_matches(GetParam() + " output " + std::to_string(k) + " in " + std::string(dtype_name(dtype)),
                     outputs[k], c["outputs"][k], rtol);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, TorchFixture, ::testing::ValuesIn(case_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(TorchFixtureFile, LoadsAndCoversEveryOp) {
  ASSERT_GT(fixtures().size(), 40u) << "could not read " << DIFFUSE_FIXTURES_DIR << "/tensor_ops.json";
  std::map<std::string, int> seen;
  for (const json& c : fixtures()) ++seen[c["op"]];
  for (const auto& [op, fn] : ops()) EXPECT_GT(seen[op], 0) << "no fixture case exercises " << op;
}

}  // namespace
