// A GammaTable as a safetensors file beside a checkpoint (nn/safetensors.h
// does the format; this file only names the tensors and checks them on load).
#include <string>

#include "diffusion/analytic/gamma_table.h"
#include "nn/safetensors.h"
#include "nn/strict_number.h"
#include "tensor/ops.h"

namespace diffusion::analytic {

namespace t = tensor;

namespace {

Tensor doubles(const std::vector<double>& v) {
  return t::from_vector(v, {static_cast<int64_t>(v.size())}, t::DType::Float64);
}

const Tensor& need(const nn::SafetensorsContents& file, const std::string& name, const std::string& path) {
  const auto it = file.tensors.find(name);
  TENSOR_CHECK(it != file.tensors.end(), "[load_gamma_table] {} has no tensor '{}'", path, name);
  return it->second;
}

int64_t need_int(const nn::SafetensorsContents& file, const std::string& key, const std::string& path) {
  const auto it = file.metadata.find(key);
  TENSOR_CHECK(it != file.metadata.end(), "[load_gamma_table] {} has no metadata '{}'", path, key);
  return nn::parse_int64(it->second, fmt::format("[load_gamma_table] {}: metadata '{}'", path, key));
}

}  // namespace

void save_gamma_table(const GammaTable& table, const std::string& path) {
  nn::StateDict tensors;
  tensors["timesteps"] = t::from_vector(table.timesteps, {static_cast<int64_t>(table.timesteps.size())});
  tensors["gamma"] = doubles(table.gamma);
  tensors["residual"] = doubles(table.residual);
  tensors["gamma_stderr"] = doubles(table.gamma_stderr);
  tensors["residual_stderr"] = doubles(table.residual_stderr);
  tensors["data_var"] = doubles({table.bounds.data_var});
  if (table.bounds.range) tensors["range"] = doubles({table.bounds.range->first, table.bounds.range->second});
  nn::save_safetensors(path, tensors,
                       {{"T", std::to_string(table.T)},
                        {"samples", std::to_string(table.samples)},
                        {"kind", "analytic-dpm gamma table (docs/math.md (7.3), (7.3r))"}});
}

GammaTable load_gamma_table(const std::string& path) {
  const nn::SafetensorsContents file = nn::load_safetensors(path);
  GammaTable table;
  table.T = need_int(file, "T", path);
  table.samples = need_int(file, "samples", path);
  table.timesteps = need(file, "timesteps", path).to_vector<int64_t>();
  table.gamma = need(file, "gamma", path).to_vector<double>();
  table.residual = need(file, "residual", path).to_vector<double>();
  table.gamma_stderr = need(file, "gamma_stderr", path).to_vector<double>();
  table.residual_stderr = need(file, "residual_stderr", path).to_vector<double>();
  table.bounds.data_var = need(file, "data_var", path).item();
  if (file.tensors.count("range")) {
    const std::vector<double> r = file.tensors.at("range").to_vector<double>();
    TENSOR_CHECK(r.size() == 2, "[load_gamma_table] {}: 'range' must hold 2 values, has {}", path, r.size());
    table.bounds.range = std::make_pair(r[0], r[1]);
  }
  const size_t K = table.timesteps.size();
  TENSOR_CHECK(table.gamma.size() == K && table.residual.size() == K && table.gamma_stderr.size() == K &&
                   table.residual_stderr.size() == K,
               "[load_gamma_table] {}: {} timesteps but {} gamma and {} residual values", path, K, table.gamma.size(),
               table.residual.size());
  for (size_t i = 0; i < K; ++i) {
    TENSOR_CHECK(table.timesteps[i] >= 1 && table.timesteps[i] <= table.T &&
                     (i == 0 || table.timesteps[i - 1] < table.timesteps[i]),
                 "[load_gamma_table] {}: timesteps must increase within 1..{}", path, table.T);
  }
  return table;
}

}  // namespace diffusion::analytic
