// The two files the optimal-variance commands leave beside a run: the Gamma
// table (diffusion/analytic's own format, gamma_table_path(DIR)) and a
// covariance head (DIR/cov_npr.safetensors or cov_sn.safetensors: the head's
// weights, its config (an MLP2D for points, a UNetHead on the run's U-Net for
// images), its kind and the data variance that bounds C).
#pragma once
#include <memory>
#include <string>

#include "apps/commands/commands.h"
#include "apps/commands/model_source.h"
#include "diffusion/analytic/analytic.h"

namespace apps {

// The run directory of --ckpt DIR (or of DIR/model.safetensors).
std::string run_dir_of(const std::string& ckpt);

std::string cov_head_path(const std::string& run_dir, diffusion::analytic::CovKind kind);
// The training state beside a head file (train-cov --resume): X.safetensors -> X.resume.safetensors.
std::string cov_head_resume_path(const std::string& head_path);

struct CovHead {
  std::shared_ptr<nn::TimestepModel> network;  // nn::MLP2D or nn::UNetHead
  std::string config_json;                     // its config, as saved
  diffusion::analytic::CovKind kind = diffusion::analytic::CovKind::NPR;
  diffusion::analytic::DataBounds bounds;  // the clip of its C (docs/math.md (7.6))
  int64_t steps = 0;                       // training steps, only reported
};

void save_cov_head(const std::string& path, const CovHead& head);

// The Gamma table a command needs: --gamma FILE, else the one beside --ckpt.
// When it is missing the error says which command makes it; `needed_by` names
// what needs it ("--sampler analytic-ddpm"). T must match the model's.
std::shared_ptr<const diffusion::analytic::GammaTable> require_gamma_table(const ModelSourceOptions& source,
                                                                           const std::string& gamma_file, int64_t T,
                                                                           const std::string& needed_by);

// The covariance head of `kind`: --cov-head FILE, else the one beside --ckpt.
// A U-Net head is put on `model`'s network (the trunk it was trained on).
CovHead require_cov_head(const ModelSourceOptions& source, const std::string& head_file,
                         diffusion::analytic::CovKind kind, const std::string& needed_by, const LoadedModel& model);

// The average per-dimension variance of data (N, ...): the data bound of (7.6).
double average_dim_variance(const tensor::Tensor& data);

}  // namespace apps
