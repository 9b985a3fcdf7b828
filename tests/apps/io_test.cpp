// Tests for apps/io: the .npy round trip and its errors, PNG write/read,
// the figures (image grid, scatter, loss curve) and the progress clock.
#include <gtest/gtest.h>

#include "apps/error.h"
#include "apps/io/figures.h"
#include "apps/io/npy.h"
#include "apps/io/png.h"
#include "apps/progress.h"
#include "tensor/ops.h"
#include "tensor/random.h"
#include "test_util.h"

namespace {

using apps_test::TempDir;

TEST(Npy, RoundTripKeepsShapeAndValues) {
  TempDir dir;
  tensor::Generator gen(1);
  for (const tensor::Shape& shape : {tensor::Shape{7, 2}, tensor::Shape{3, 1, 4, 5}, tensor::Shape{5}}) {
    const tensor::Tensor x = tensor::randn(shape, gen);
    apps::write_npy(dir / "x.npy", x);
    const tensor::Tensor y = apps::read_npy(dir / "x.npy");
    EXPECT_EQ(y.shape(), shape);
    EXPECT_EQ(y.to_vector<float>(), x.to_vector<float>());
  }
}

TEST(Npy, HeaderIsWhatNumpyExpects) {
  TempDir dir;
  apps::write_npy(dir / "x.npy", tensor::zeros({4, 2}));
  const std::vector<uint8_t> bytes = apps_test::read_bytes(dir / "x.npy");
  const std::string text(bytes.begin(), bytes.end());
  EXPECT_EQ(text.substr(1, 5), "NUMPY");
  const size_t header_len = bytes[8] | (bytes[9] << 8);
  EXPECT_EQ((10 + header_len) % 64, 0u);  // data aligned to 64 bytes
  EXPECT_NE(text.find("'descr': '<f4', 'fortran_order': False, 'shape': (4, 2), }"), std::string::npos);
  EXPECT_EQ(bytes.size(), 10 + header_len + 4 * 2 * 4);
}

TEST(Npy, ReadsFloat64AndOneDimTuples) {
  TempDir dir;
  // A float64 (3,) array as NumPy writes it: the data starts on a 64-byte boundary.
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }";
  header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::vector<uint8_t> bytes = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, static_cast<uint8_t>(header.size()), 0};
  bytes.insert(bytes.end(), header.begin(), header.end());
  for (double v : {1.5, -2.0, 3.25}) {
    const auto* p = reinterpret_cast<const uint8_t*>(&v);
    bytes.insert(bytes.end(), p, p + 8);
  }
  apps_test::write_bytes(dir / "d.npy", bytes);
  const tensor::Tensor t = apps::read_npy(dir / "d.npy");
  EXPECT_EQ(t.shape(), (tensor::Shape{3}));
  EXPECT_EQ(t.dtype(), tensor::DType::Float32);
  EXPECT_EQ(t.to_vector<float>(), (std::vector<float>{1.5f, -2.0f, 3.25f}));
}

void expect_error(const std::string& path, const std::string& fragment) {
  try {
    apps::read_npy(path);
    FAIL() << "no error for " << path;
  } catch (const apps::Error& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST(Npy, ErrorsNameTheFileAndTheProblem) {
  TempDir dir;
  expect_error(dir / "missing.npy", "cannot open");
  apps_test::write_bytes(dir / "text.npy", {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd'});
  expect_error(dir / "text.npy", "not a .npy file");
  apps::write_npy(dir / "x.npy", tensor::ones({10, 2}));
  std::vector<uint8_t> bytes = apps_test::read_bytes(dir / "x.npy");
  bytes.resize(bytes.size() - 4);
  apps_test::write_bytes(dir / "short.npy", bytes);
  expect_error(dir / "short.npy", "truncated");
  bytes = apps_test::read_bytes(dir / "x.npy");
  const std::string text(bytes.begin(), bytes.end());
  bytes[text.find("<f4") + 1] = 'i';  // '<i4': int32
  apps_test::write_bytes(dir / "int.npy", bytes);
  expect_error(dir / "int.npy", "'<i4' is not supported");
}

TEST(Png, WriteThenReadGivesThePixels) {
  TempDir dir;
  apps::Image img(5, 3, 3, 0);
  for (size_t i = 0; i < img.pixels.size(); ++i) img.pixels[i] = static_cast<uint8_t>(i * 7);
  apps::write_png(dir / "a.png", img);
  const apps::Image back = apps::read_png(dir / "a.png");
  EXPECT_EQ(back.width, 5);
  EXPECT_EQ(back.height, 3);
  EXPECT_EQ(back.channels, 3);
  EXPECT_EQ(back.pixels, img.pixels);
  EXPECT_THROW(apps::read_png(dir / "nothing.png"), apps::Error);
}

TEST(Figures, ImageGridMapsMinusOneToBlackAndOneToWhite) {
  // Two 1x2 gray images: (-1, 1) and (0, 1); grid of 2 columns with 2-pixel gaps.
  const tensor::Tensor x = tensor::from_vector(std::vector<float>{-1, 1, 0, 1}, {2, 1, 1, 2});
  const apps::Image img = apps::image_grid(x, 2);
  EXPECT_EQ(img.channels, 1);
  EXPECT_EQ(img.width, 2 * (2 + 2) + 2);
  EXPECT_EQ(img.height, 1 + 2 + 2);
  apps::Image copy = img;
  EXPECT_EQ(copy.at(2, 2)[0], 0);
  EXPECT_EQ(copy.at(3, 2)[0], 255);
  EXPECT_EQ(copy.at(6, 2)[0], 128);  // 0 -> mid gray (127.5 rounds to 128)
  EXPECT_THROW(apps::image_grid(tensor::zeros({2, 2})), apps::Error);
}

TEST(Figures, ScatterDrawsBothColors) {
  tensor::Generator gen(3);
  apps::Image img = apps::scatter_plot(tensor::randn({500, 2}, gen), tensor::randn({500, 2}, gen) + 3.0, "", 320);
  EXPECT_EQ(img.width, 320);
  int blueish = 0, orangeish = 0;
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) {
      const uint8_t* p = img.at(x, y);
      if (p[2] > p[0] + 40) ++blueish;
      if (p[0] > p[2] + 40) ++orangeish;
    }
  EXPECT_GT(blueish, 100);
  EXPECT_GT(orangeish, 100);
}

TEST(Figures, LossCurveWritesSvgAndPng) {
  TempDir dir;
  std::vector<double> losses;
  for (int i = 0; i < 300; ++i) losses.push_back(1.0 / (1 + i) + 0.1);
  apps::write_loss_curve(dir / "loss.svg", losses);
  apps::write_loss_curve(dir / "loss.png", losses);
  const std::vector<uint8_t> svg = apps_test::read_bytes(dir / "loss.svg");
  const std::string text(svg.begin(), svg.end());
  EXPECT_EQ(text.rfind("<svg", 0), 0u);
  EXPECT_NE(text.find("<polyline"), std::string::npos);
  EXPECT_EQ(apps::read_png(dir / "loss.png").width, 640);
  EXPECT_THROW(apps::write_loss_curve(dir / "loss.txt", losses), apps::Error);
}

TEST(Figures, WriteSamplesChoosesByExtension) {
  TempDir dir;
  tensor::Generator gen(4);
  const tensor::Tensor points = tensor::randn({50, 2}, gen);
  apps::write_samples(dir / "p.npy", points);
  EXPECT_EQ(apps::read_npy(dir / "p.npy").shape(), points.shape());
  apps::write_samples(dir / "p.png", points);
  EXPECT_EQ(apps::read_png(dir / "p.png").width, 640);
  apps::write_samples(dir / "img.png", tensor::zeros({4, 1, 8, 8}));  // 8-pixel images: scale 2 by default
  EXPECT_EQ(apps::read_png(dir / "img.png").width, 2 * (16 + 2) + 2);
  EXPECT_THROW(apps::write_samples(dir / "p.jpg", points), apps::Error);
}

}  // namespace

namespace {

TEST(Progress, DurationsReadLikeAClock) {
  EXPECT_EQ(apps::format_duration(0), "0:00");
  EXPECT_EQ(apps::format_duration(75.4), "1:15");
  EXPECT_EQ(apps::format_duration(3725), "1:02:05");
  EXPECT_EQ(apps::format_duration(-3), "0:00");
}

}  // namespace
