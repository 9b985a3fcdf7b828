// The other direction of PyTorch interop: we write checkpoints that PyTorch
// loads. This test saves an MLP2D and a UNet (weights, a batch, our outputs)
// to $DIFFUSE_NN_EXPORT_DIR (default: the test temp dir) and checks here that
// the files read back bit-exactly; tests/fixtures/check_nn_export_in_torch.py
// then loads them into the PyTorch models and compares outputs (result in docs/nn.md).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "nn/checkpoint.h"
#include "nn/nn.h"

using namespace nn;
namespace t = tensor;

namespace {
std::string export_dir() {
  const char* env = std::getenv("DIFFUSE_NN_EXPORT_DIR");
  const std::filesystem::path dir = env ? env : std::filesystem::path(testing::TempDir()) / "nn_export";
  std::filesystem::create_directories(dir);
  return dir.string();
}

void export_model(TimestepModel& model, const std::string& config_json, const Tensor& x, const Tensor& steps,
                  const std::string& path) {
  Tensor y;
  {
    autograd::NoGradGuard no_grad;
    y = model(Variable(x), steps).data();
  }
  Checkpoint ckpt;
  ckpt.metadata["config"] = config_json;
  ckpt.extra = {{"input:x", x}, {"input:t", steps}, {"output:y", y}};
  save_checkpoint(path, model, ckpt);

  // Read back: the weights and the extra tensors must be bit-exact.
  SafetensorsContents back = load_safetensors(path);
  EXPECT_EQ(back.metadata.at("config"), config_json);
  for (const auto& [name, tensor] : model.state_dict())
    EXPECT_EQ(back.tensors.at(name).to_vector<float>(), tensor.to_vector<float>()) << name;
  EXPECT_EQ(back.tensors.at("output:y").to_vector<float>(), y.to_vector<float>());
}
}  // namespace

TEST(TorchExport, MLP2DCheckpointForPyTorch) {
  t::Generator gen(11);
  MLP2DConfig config;  // the reference's default MLP2D
  MLP2D model(config, gen);
  export_model(model, config.to_json(), t::randn({16, 2}, gen), t::from_list({0, 1, 2, 10, 100, 999, 500, 3.5, 0, 1, 2, 3,
                                                                              4, 5, 6, 7}),
               export_dir() + "/nn_export_mlp2d.safetensors");
}

TEST(TorchExport, UNetCheckpointForPyTorch) {
  t::Generator gen(12);
  UNetConfig config;  // the reference's default UNet
  UNet model(config, gen);
  export_model(model, config.to_json(), t::randn({2, 1, 28, 28}, gen), t::from_list({999, 0}),
               export_dir() + "/nn_export_unet.safetensors");
}
