// Building the eps-models of model_source.h from a checkpoint or a mixture.
#include "apps/commands/model_source.h"

#include <filesystem>

#include "apps/commands/sde_model.h"
#include "apps/device.h"
#include "apps/error.h"
#include "diffusion/edm.h"
#include "diffusion/prediction.h"
#include "diffusion/sde_network.h"
#include "tensor/allocation_budget.h"

namespace apps {

namespace {

// The network as a raw function of (x, label): the shared_ptr keeps it alive
// as long as any sampler holds the function.
diffusion::EpsModel raw_network(std::shared_ptr<nn::TimestepModel> network) {
  return [network](const diffusion::Variable& x, const tensor::Tensor& label) { return network->forward(x, label); };
}

// The network with every row's class set to c (Note [Class-conditional models] in nn/module.h).
diffusion::EpsModel class_network(std::shared_ptr<nn::TimestepModel> network, int64_t c) {
  return [network, c](const diffusion::Variable& x, const tensor::Tensor& label) {
    return network->forward_class(
        x, label, tensor::full({x.size(0)}, static_cast<double>(c), tensor::DType::Int64, label.device()));
  };
}

// The oracle or the network (its output converted to eps) under `kernel`, unguided.
diffusion::EpsModel plain_eps(const LoadedModel& model, const diffusion::KernelFn& kernel) {
  if (model.gmm) return diffusion::gmm_eps_model(*model.gmm, kernel);
  return diffusion::eps_model_from(raw_network(model.network), diffusion::parse_prediction(model.config.pred), kernel);
}

// plain_eps, guided towards model.guided_class when it is set (docs/math.md 12.1-12.2).
diffusion::EpsModel eps_under(const LoadedModel& model, const diffusion::KernelFn& kernel) {
  diffusion::EpsModel unconditional = plain_eps(model, kernel);
  const int64_t c = model.guided_class;
  if (c < 0) return unconditional;
  if (model.classifier)
    return diffusion::classifier_guidance(unconditional, model.classifier(kernel), kernel, c, model.guidance);
  diffusion::EpsModel conditional =
      model.gmm ? diffusion::gmm_component_eps_model(*model.gmm, kernel, c)
                : diffusion::eps_model_from(class_network(model.network, c),
                                            diffusion::parse_prediction(model.config.pred), kernel);
  return diffusion::classifier_free_guidance(conditional, unconditional, model.guidance);
}

}  // namespace

diffusion::EpsModel LoadedModel::discrete_eps() const {
  require_discrete(config, "this command (it runs the discrete DDPM chain)");  // most refuse earlier, by name
  return eps_under(*this, diffusion::ddpm_kernel(schedule));
}

diffusion::EpsModel LoadedModel::interpolated_eps() const {
  require_discrete(config, "edm-heun");
  return eps_under(*this, diffusion::interpolated_ddpm_kernel(schedule));
}

diffusion::EpsModel LoadedModel::sde_eps(const diffusion::Sde& sde) const {
  // A --sde model's network sees VE's scaled input and 999 t (Note [SDE network conditioning]); a discrete one the
  // SDE's own label, 999 t on the VP SDE (docs/math.md 4.4). --sde models have no classes and take no guidance
  // (refused in train and sample), so only discrete models and the oracle are guided here.
  if (config.sde.empty()) return eps_under(*this, sde.kernel());
  return diffusion::sde_network_eps(sde, plain_eps(*this, sde.kernel()));
}

tensor::Shape LoadedModel::batch_shape(int64_t n) const {
  tensor::Shape shape = {n};
  shape.insert(shape.end(), config.data_shape.begin(), config.data_shape.end());
  return shape;
}

LoadedModel load_model(const ModelSourceOptions& source) {
  LoadedModel loaded;
  loaded.device = parse_device(source.device);
  if (!source.oracle.empty()) {
    APPS_CHECK(loaded.device == tensor::Device::CPU, "--oracle runs on the cpu; drop --device {}", source.device);
    APPS_CHECK(source.oracle.rfind("gmm:", 0) == 0, "--oracle {}: expected gmm:FILE.json", source.oracle);
    const std::string path = source.oracle.substr(4);
    try {
      loaded.gmm = diffusion::load_gaussian_mixture_json(path);
    } catch (const std::exception& e) {
      const std::string what = e.what();
      throw Error(what.find(path) == std::string::npos ? path + ": " + what : what);
    }
    loaded.config.data = source.oracle;
    loaded.config.data_shape = {loaded.gmm->d()};
    loaded.schedule = diffusion::make_schedule(loaded.config.schedule, loaded.config.T);
    return loaded;
  }

  const std::string path = checkpoint_path(source.ckpt);
  Checkpoint ckpt = load_checkpoint(path);
  loaded.config = ckpt.config;
  loaded.schedule = diffusion::make_schedule(ckpt.config.schedule, ckpt.config.T);
  tensor::Generator unused(0);  // the weights are overwritten below
  {
    // Note [Allocation budget]: the network its config describes must fit the weights the file holds.
    const tensor::ScopedAllocationBudget budget(
        8 * static_cast<int64_t>(std::filesystem::file_size(path)) + (int64_t{64} << 20),
        fmt::format("{}: building the {} its config describes", path, ckpt.config.model));
    loaded.network = make_network(ckpt.config, unused);
  }
  const nn::StateDict& weights = source.no_ema ? ckpt.live : ckpt.ema;
  APPS_CHECK(!weights.empty(), "{}: the checkpoint holds no {} weights", path, source.no_ema ? "live" : "EMA");
  try {
    loaded.network->load_state_dict(weights);
  } catch (const std::exception& e) {
    throw Error(fmt::format("{}: weights do not fit a {} model: {}", path, ckpt.config.model, e.what()));
  }
  loaded.network->to(loaded.device);  // the host weights, moved once
  loaded.network->eval();
  return loaded;
}

}  // namespace apps
