// RGB images end to end: a folder of tiny color PNGs made here, `diffuse
// train` on it (3 input channels and the size read from the files), `sample`
// to an RGB grid and to .npy, and `score --features pixels` (the score's path
// for RGB sets; pixel_features.h), with the features checked on a closed form.
#include <gtest/gtest.h>

#include <filesystem>

#include "apps/commands/checkpoint.h"
#include "apps/commands/pixel_features.h"
#include "apps/io/npy.h"
#include "apps/io/png.h"
#include "cli_util.h"
#include "nn/models/unet.h"
#include "tensor/ops.h"
#include "test_util.h"

namespace {

using apps_test::diffuse;
using apps_test::expect_fails_with;
using apps_test::Result;
using apps_test::TempDir;
namespace fs = std::filesystem;

// 8 RGB images of 8 x 12 pixels (H 8, W 12): a red square on a blue ground that moves, green rising with i.
void write_rgb_folder(const std::string& dir) {
  fs::create_directories(dir);
  for (int i = 0; i < 8; ++i) {
    apps::Image img(12, 8, 3, 0);
    for (int y = 0; y < 8; ++y)
      for (int x = 0; x < 12; ++x) {
        const bool square = y >= 2 && y < 5 && x >= i && x < i + 3;
        img.at(x, y)[0] = square ? 230 : 20;
        img.at(x, y)[1] = static_cast<uint8_t>(30 * i);
        img.at(x, y)[2] = square ? 10 : 200;
      }
    apps::write_png(dir + "/" + std::to_string(i) + ".png", img);
  }
}

TEST(RgbCli, TrainSampleAndScoreAFolderOfColorPngs) {
  TempDir dir;
  const std::string images = dir / "rgb";
  write_rgb_folder(images);
  const std::string run = dir / "run";
  const Result train = diffuse({"train", "--data", "png:" + images, "--model", "unet", "--ch", "8", "--ch-mult", "1,2",
                                "--steps", "3", "--batch", "4", "--out", run, "--samples", "4"});
  ASSERT_EQ(train.status, 0) << train.err;
  const apps::Checkpoint ckpt = apps::load_checkpoint(run + "/model.safetensors");
  EXPECT_EQ(ckpt.config.data_shape, (tensor::Shape{3, 8, 12}));
  EXPECT_EQ(nn::UNetConfig::from_json(ckpt.config.model_json).in_channels, 3);
  EXPECT_EQ(apps::read_png(run + "/samples.png").channels, 3);

  ASSERT_EQ(diffuse({"sample", "--ckpt", run, "--steps", "5", "--n", "4", "--out", dir / "grid.png"}).status, 0);
  const apps::Image grid = apps::read_png(dir / "grid.png");
  EXPECT_EQ(grid.channels, 3);
  EXPECT_EQ(grid.width, 2 * (24 + 2) + 2);  // 2 columns of 12 pixels at scale 2, gaps
  ASSERT_EQ(diffuse({"sample", "--ckpt", run, "--steps", "5", "--n", "8", "--out", dir / "x.npy"}).status, 0);
  EXPECT_EQ(apps::read_npy(dir / "x.npy").shape(), (tensor::Shape{8, 3, 8, 12}));

  const Result score = diffuse(
      {"score", "--features", "pixels", "--samples", dir / "x.npy", "--ref", "png:" + images, "--n", "8", "--json"});
  ASSERT_EQ(score.status, 0) << score.err;
  EXPECT_NE(score.out.find("in the 48 pixel-block features"), std::string::npos) << score.out;
  // The set against itself: distance 0 (to the rounding of the matrix square root).
  const Result same = diffuse(
      {"score", "--features", "pixels", "--samples", "png:" + images, "--ref", "png:" + images, "--n", "8", "--json"});
  ASSERT_EQ(same.status, 0) << same.err;
  EXPECT_NE(same.out.find("FD 0.0000"), std::string::npos) << same.out;
  expect_fails_with({"score", "--samples", dir / "x.npy", "--ref", "png:" + images, "--n", "8"},
                    "give --classifier FILE (from diffuse train-classifier), or --features pixels");
  expect_fails_with({"score", "--features", "pixels", "--classifier", dir / "c.safetensors", "--samples", dir / "x.npy",
                     "--ref", "png:" + images, "--n", "8"},
                    "--features pixels uses no classifier");
}

TEST(PixelFeatures, BlockMeansPerChannel) {
  // One 2-channel 4 x 8 image: channel 0 holds its column index / 8, channel 1 is -0.5.
  std::vector<float> v;
  for (int c = 0; c < 2; ++c)
    for (int y = 0; y < 4; ++y)
      for (int x = 0; x < 8; ++x) v.push_back(c == 0 ? x / 8.0f : -0.5f);
  const tensor::Tensor f = apps::pixel_block_features(tensor::from_vector(v, {1, 2, 4, 8}), "test");
  ASSERT_EQ(f.shape(), (tensor::Shape{1, 32}));
  const std::vector<float> got = f.to_vector<float>();
  // Block (i, j) of channel 0 covers columns 2j, 2j + 1: mean (4j + 1) / 16, to 8-bit levels.
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) EXPECT_NEAR(got[i * 4 + j], (4 * j + 1) / 16.0, 1.0 / 127.5) << i << " " << j;
  for (int k = 16; k < 32; ++k) EXPECT_NEAR(got[k], -0.5, 1.0 / 127.5) << k;
  expect_fails_with({"score", "--features", "pixels", "--samples", "moons", "--ref", "moons", "--n", "8"},
                    "--features pixels needs images (N, C, H, W)");
}

}  // namespace
