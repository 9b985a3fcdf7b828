// Finding, reading and writing the Gamma table and covariance-head files of
// analytic_files.h, with errors that name the file and the command that makes it.
#include "apps/commands/analytic_files.h"

#include <filesystem>

#include "apps/commands/checkpoint.h"
#include "apps/error.h"
#include "nn/checkpoint.h"
#include "nn/safetensors.h"
#include "nn/strict_number.h"
#include "tensor/ops.h"

namespace apps {

namespace analytic = diffusion::analytic;
namespace fs = std::filesystem;

std::string run_dir_of(const std::string& ckpt) {
  const fs::path parent = fs::path(checkpoint_path(ckpt)).parent_path();
  return parent.empty() ? "." : parent.string();
}

std::string cov_head_path(const std::string& run_dir, analytic::CovKind kind) {
  return (fs::path(run_dir) / ("cov_" + analytic::cov_kind_name(kind) + ".safetensors")).string();
}

std::string cov_head_resume_path(const std::string& head_path) {
  fs::path path(head_path);
  const std::string stem = path.extension() == ".safetensors" ? path.stem().string() : path.filename().string();
  return (path.parent_path() / (stem + ".resume.safetensors")).string();
}

void save_cov_head(const std::string& path, const CovHead& head) {
  nn::Metadata metadata = {{"kind", analytic::cov_kind_name(head.kind)},
                           {"head_config", head.config_json},
                           {"data_var", fmt::format("{:.17g}", head.bounds.data_var)},
                           {"steps", std::to_string(head.steps)}};
  if (head.bounds.range) {
    metadata["range"] = fmt::format("{:.17g},{:.17g}", head.bounds.range->first, head.bounds.range->second);
  }
  nn::save_safetensors(path, head.network->state_dict(), metadata);
}

std::shared_ptr<const analytic::GammaTable> require_gamma_table(const ModelSourceOptions& source,
                                                                const std::string& gamma_file, int64_t T,
                                                                const std::string& needed_by) {
  std::string path = gamma_file;
  if (path.empty()) {
    APPS_CHECK(source.oracle.empty(),
               "{} needs a Gamma table: make one with `diffuse estimate-gamma --oracle {} --out FILE` and pass "
               "--gamma FILE",
               needed_by, source.oracle);
    path = analytic::gamma_table_path(run_dir_of(source.ckpt));
  }
  const std::string maker = source.oracle.empty()
                                ? "diffuse estimate-gamma --ckpt " + source.ckpt
                                : "diffuse estimate-gamma --oracle " + source.oracle + " --out " + path;
  APPS_CHECK(fs::exists(path), "{} not found: {} needs the Gamma table; make it with `{}`", path, needed_by, maker);
  auto table = std::make_shared<analytic::GammaTable>(analytic::load_gamma_table(path));
  APPS_CHECK(table->T == T, "{}: the Gamma table was estimated for T = {}, the model has T = {} (run `{}` again)", path,
             table->T, T, maker);
  return table;
}

CovHead require_cov_head(const ModelSourceOptions& source, const std::string& head_file, analytic::CovKind kind,
                         const std::string& needed_by, const LoadedModel& model) {
  const std::string name = analytic::cov_kind_name(kind);
  std::string path = head_file;
  if (path.empty()) {
    APPS_CHECK(source.oracle.empty(),
               "{} needs an {} covariance head: train one with `diffuse train-cov --oracle {} --kind {} --out FILE` "
               "and pass --cov-head FILE",
               needed_by, name, source.oracle, name);
    path = cov_head_path(run_dir_of(source.ckpt), kind);
  }
  const std::string maker =
      source.oracle.empty()
          ? fmt::format("diffuse train-cov --ckpt {} --kind {}", source.ckpt, name)
          : fmt::format("diffuse train-cov --oracle {} --kind {} --out {}", source.oracle, name, path);
  APPS_CHECK(fs::exists(path), "{} not found: {} needs an {} covariance head; make it with `{}`", path, needed_by, name,
             maker);

  const nn::SafetensorsContents file = nn::load_safetensors(path);
  auto meta = [&](const std::string& key) {
    const auto it = file.metadata.find(key);
    APPS_CHECK(it != file.metadata.end(), "{}: not a covariance head (no metadata '{}')", path, key);
    return it->second;
  };
  APPS_CHECK(meta("kind") == name, "{} holds an {} head, {} needs an {} head", path, meta("kind"), needed_by, name);
  CovHead head;
  head.kind = kind;
  auto what = [&](const std::string& key) { return fmt::format("{}: metadata '{}'", path, key); };
  head.bounds.data_var = nn::parse_finite_double(meta("data_var"), what("data_var"));
  if (file.metadata.count("range")) {
    const std::string range = file.metadata.at("range");
    const size_t comma = range.find(',');
    APPS_CHECK(comma != std::string::npos, "{}: metadata 'range' = '{}' is not 'lo,hi'", path, range);
    head.bounds.range = std::make_pair(nn::parse_finite_double(range.substr(0, comma), what("range")),
                                       nn::parse_finite_double(range.substr(comma + 1), what("range")));
  }
  head.steps = nn::parse_int64(meta("steps"), what("steps"), 0);
  nn::require_finite(file.tensors, path);
  head.config_json = meta("head_config");
  tensor::Generator unused(0);  // the weights are overwritten below
  try {
    if (head.config_json.find("\"UNetHead\"") != std::string::npos) {
      const auto trunk = std::dynamic_pointer_cast<nn::UNet>(model.network);
      APPS_CHECK(trunk != nullptr, "{} is a U-Net head, but {} is not a U-Net model", path,
                 source.oracle.empty() ? source.ckpt : source.oracle);
      head.network = std::make_shared<nn::UNetHead>(trunk, nn::UNetHeadConfig::from_json(head.config_json), unused);
    } else {
      head.network = std::make_shared<nn::MLP2D>(nn::MLP2DConfig::from_json(head.config_json), unused);
    }
  } catch (const tensor::Error& e) {
    throw Error(fmt::format("{}: bad head config: {}", path, e.what()));
  }
  try {
    head.network->load_state_dict(file.tensors);
  } catch (const std::exception& e) {
    throw Error(fmt::format("{}: the weights do not fit the head's config: {}", path, e.what()));
  }
  head.network->to(model.device);  // beside the eps network it corrects
  head.network->eval();
  return head;
}

double average_dim_variance(const tensor::Tensor& data) {
  const tensor::Tensor flat = data.to(tensor::DType::Float64).reshape({data.size(0), -1});
  return tensor::mean(tensor::var(flat, {0})).item();
}

}  // namespace apps
