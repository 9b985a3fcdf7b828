// Outside files that lie about their sizes, numbers that overflow, plots of
// data at any scale, writes that fail, and non-finite results: each case
// here once crashed, hung, allocated gigabytes or exited 0 with a bad file.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <fstream>
#include <limits>

#include "apps/commands/model_source.h"
#include "apps/data/idx.h"
#include "apps/data/image_sets.h"
#include "apps/data/toy2d.h"
#include "apps/io/figures.h"
#include "apps/io/npy.h"
#include "apps/io/png.h"
#include "cli_util.h"
#include "file_limits.h"
#include "nn/safetensors.h"
#include "tensor/ops.h"
#include "test_util.h"

namespace {

namespace fs = std::filesystem;
using apps_test::diffuse;
using apps_test::expect_error;
using apps_test::expect_fails_with;
using apps_test::TempDir;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;  // ASan reserves terabytes of address space: no RLIMIT_AS
#else
constexpr bool kAddressSanitizer = false;
#endif

size_t address_space_in_use() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmSize:", 0) == 0) return std::stoull(line.substr(7)) * 1024;
  return 0;
}

// Runs f in a child process whose address space may grow by `budget` bytes
// and returns what f threw: its message, "std::bad_alloc" when the budget was
// too small, or "no error". A loader that allocates what a header claims
// before checking the file fails here instead of taking 4 GB.
template <typename F>
std::string error_within_memory(F f, size_t budget = size_t{256} << 20) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    const rlimit limit{address_space_in_use() + budget, RLIM_INFINITY};
    setrlimit(RLIMIT_AS, &limit);
    std::string message = "no error";
    try {
      f();
    } catch (const std::exception& e) {
      message = e.what();
    }
    const ssize_t written = write(fds[1], message.data(), message.size());
    _exit(written == static_cast<ssize_t>(message.size()) ? 0 : 1);
  }
  close(fds[1]);
  std::string message;
  char buffer[512];
  for (ssize_t got; (got = read(fds[0], buffer, sizeof buffer)) > 0;) message.append(buffer, got);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return message;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// A .npy file with the given header text and `data` bytes after it.
void write_npy_bytes(const std::string& path, const std::string& dict, size_t data_bytes) {
  std::string header = dict;
  header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::vector<uint8_t> bytes = {0x93,
                                'N',
                                'U',
                                'M',
                                'P',
                                'Y',
                                1,
                                0,
                                static_cast<uint8_t>(header.size()),
                                static_cast<uint8_t>(header.size() >> 8)};
  bytes.insert(bytes.end(), header.begin(), header.end());
  bytes.resize(bytes.size() + data_bytes, 0);
  apps_test::write_bytes(path, bytes);
}


size_t entries(const TempDir& dir) {
  return static_cast<size_t>(std::distance(fs::directory_iterator(dir.path()), {}));
}

TEST(NpySizes, AShapePast2To63IsAnErrorNotAWrappedCount) {
  TempDir dir;
  write_npy_bytes(dir / "wrap.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }",
                  64);
  expect_error([&] { apps::read_npy(dir / "wrap.npy"); }, {dir / "wrap.npy", "passes 2^63 - 1"});
}

TEST(NpySizes, AHeaderLongerThanTheFileIsRefusedBeforeAllocating) {
  if (kAddressSanitizer) GTEST_SKIP() << "needs RLIMIT_AS";
  TempDir dir;
  // Version 2.0, header length 0xffffffff, 642 bytes in all.
  std::vector<uint8_t> bytes = {0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 0xff, 0xff, 0xff, 0xff};
  bytes.resize(642, ' ');
  apps_test::write_bytes(dir / "long.npy", bytes);
  const std::string e = error_within_memory([&] { apps::read_npy(dir / "long.npy"); });
  EXPECT_TRUE(contains(e, "header length 4294967295 exceeds the 630 bytes left")) << e;
}

TEST(NpySizes, DataLargerThanTheFileIsRefusedBeforeAllocating) {
  if (kAddressSanitizer) GTEST_SKIP() << "needs RLIMIT_AS";
  TempDir dir;
  write_npy_bytes(dir / "big.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000, 2), }", 16);
  const std::string e = error_within_memory([&] { apps::read_npy(dir / "big.npy"); });
  EXPECT_TRUE(contains(e, "truncated .npy data") && contains(e, "the file has 16 bytes of data")) << e;
}

TEST(NpySizes, ShapeEntriesMustBeWholeIntegers) {
  TempDir dir;
  for (const char* shape : {"(1e3, 2)", "(2x, 2)", "(-1, 2)", "(0x10,)"}) {
    write_npy_bytes(dir / "s.npy", fmt::format("{{'descr': '<f4', 'fortran_order': False, 'shape': {}, }}", shape), 8);
    expect_error([&] { apps::read_npy(dir / "s.npy"); }, {".npy shape", shape});
  }
}

TEST(IdxSizes, DimsLargerThanTheFileAreRefusedBeforeAllocating) {
  if (kAddressSanitizer) GTEST_SKIP() << "needs RLIMIT_AS";
  TempDir dir;
  // 1 KB of pixels claiming (1000000, 64, 64): 4 GB. Plain and gzip.
  const auto bytes = apps_test::idx_images(1000000, 64, 64, std::vector<uint8_t>(1000, 7));
  for (const bool gzip : {false, true}) {
    const std::string path = dir / (gzip ? "big.gz" : "big");
    apps_test::write_bytes(path, bytes, gzip);
    const std::string e = error_within_memory([&] { apps::read_idx_images(path); });
    EXPECT_TRUE(contains(e, "truncated IDX data") && contains(e, "file has 1000")) << e;
  }
}

// A 1x1 PNG whose header is rewritten to claim width x height (CRC fixed).
std::vector<uint8_t> png_claiming(const TempDir& dir, uint32_t width, uint32_t height) {
  apps::write_png(dir / "one.png", apps::Image(1, 1, 3, 0));
  std::vector<uint8_t> bytes = apps_test::read_bytes(dir / "one.png");
  // Signature (8), IHDR length (4) and type (4), then width and height big-endian at 16..23.
  for (int i = 0; i < 4; ++i) {
    bytes[16 + i] = static_cast<uint8_t>(width >> (24 - 8 * i));
    bytes[20 + i] = static_cast<uint8_t>(height >> (24 - 8 * i));
  }
  const uint32_t crc = crc32(crc32(0, nullptr, 0), bytes.data() + 12, 17);  // type and 13 data bytes
  for (int i = 0; i < 4; ++i) bytes[29 + i] = static_cast<uint8_t>(crc >> (24 - 8 * i));
  return bytes;
}

TEST(PngSizes, AHeaderClaimingMorePixelsThanTheFileHoldsIsRefused) {
  if (kAddressSanitizer) GTEST_SKIP() << "needs RLIMIT_AS";
  TempDir dir;
  fs::create_directory(dir / "set");
  apps_test::write_bytes(dir / "set/huge.png", png_claiming(dir, 65535, 65535));
  const std::string e = error_within_memory([&] { apps::read_png_dir(dir / "set"); });
  EXPECT_TRUE(contains(e, "huge.png: PNG header claims 65535x65535 pixels")) << e;
  // The unpatched image still reads.
  EXPECT_EQ(apps::read_png(dir / "one.png").width, 1);
}

// The issue's mixtures: means near 1e8, and stds of 1e38. Drawing them used
// to take one grid line per unit of range (forever); the ticks are now round
// numbers chosen from the range (tests/apps/figures_test.cpp counts them).
TEST(ScatterScale, FarAndWideMixturesAreDrawn) {
  TempDir dir;
  std::ofstream(dir / "far.json") << R"({"means": [[1e8, 0], [-1e8, 3e7]], "stds": [1, 1], "weights": [0.5, 0.5]})";
  std::ofstream(dir / "wide.json") << R"({"means": [[0, 0]], "stds": [1e38], "weights": [1]})";
  for (const char* file : {"far.json", "wide.json"}) {
    const tensor::Tensor x = apps::toy_2d("gmm:" + (dir / file), 500, 0);
    const apps::Image img = apps::scatter_plot(x, {}, "", 256);
    EXPECT_EQ(img.width, 256) << file;
  }
}

TEST(FailedWrites, SampleOnAFullDiskFailsAndLeavesNoFile) {
  TempDir dir;
  apps_test::write_gmm(dir / "gmm.json");
  for (const char* out : {"x.npy", "x.png"}) {
    apps_test::Result r;
    {
      const test_util::FileSizeLimit limit(100);
      r = diffuse({"sample", "--oracle", "gmm:" + (dir / "gmm.json"), "--sampler", "ddim", "--steps", "5", "--n", "64",
                   "--out", dir / out});
    }
    EXPECT_EQ(r.status, 2) << out;
    EXPECT_TRUE(contains(r.err, "write failed")) << r.err;
    EXPECT_FALSE(contains(r.out, "wrote")) << r.out;
    EXPECT_EQ(entries(dir), 1u) << out;  // gmm.json only: no short file, no temporary
  }
  {
    const test_util::FileSizeLimit limit(100);
    EXPECT_THROW(apps::write_loss_curve(dir / "loss.svg", std::vector<double>(500, 1.0)), std::exception);
  }
  EXPECT_EQ(entries(dir), 1u);
}

TEST(FailedWrites, CountFlagsAreBounded) {
  expect_fails_with({"sample", "--oracle", "gmm:x.json", "--n", "2305843009213693952", "--out", "x.npy"},
                    "not a whole number in [1, 2147483647]");
}

// Trains a 2-step MLP run into dir/run; returns its checkpoint path.
std::string tiny_run(const TempDir& dir) {
  const apps_test::Result r = diffuse({"train", "--data", "moons", "--model", "mlp", "--width", "16", "--steps", "2",
                                       "--batch", "32", "--samples", "10", "--out", dir / "run"});
  EXPECT_EQ(r.status, 0) << r.err;
  return dir / "run/model.safetensors";
}

// Rewrites a checkpoint, passing each float tensor through `change` and the metadata through `meta`.
template <typename F, typename G>
void rewrite(const std::string& path, F change, G meta) {
  nn::SafetensorsContents c = nn::load_safetensors(path);
  for (auto& [name, t] : c.tensors)
    if (t.dtype() == tensor::DType::Float32) t = change(name, t);
  meta(c.metadata);
  nn::save_safetensors(path, c.tensors, c.metadata);
}

TEST(BadCheckpoints, NanWeightsAreRefusedWithTheTensorsName) {
  TempDir dir;
  const std::string ckpt = tiny_run(dir);
  std::string victim;
  rewrite(
      ckpt,
      [&](const std::string& name, const tensor::Tensor& t) {
        if (!victim.empty() || name.find('/') != std::string::npos) return t;
        victim = name;
        return tensor::full_like(t, std::numeric_limits<double>::quiet_NaN());
      },
      [](nn::Metadata&) {});
  ASSERT_FALSE(victim.empty());
  expect_fails_with({"sample", "--ckpt", dir / "run", "--n", "8", "--out", dir / "x.npy"}, "tensor '" + victim + "'");
  EXPECT_FALSE(fs::exists(dir / "x.npy"));
}

TEST(BadCheckpoints, HugeWeightsGiveAnErrorNotNanResults) {
  TempDir dir;
  const std::string ckpt = tiny_run(dir);
  // Finite weights of 1e30 pass the load check, but the network's outputs overflow.
  rewrite(
      ckpt, [](const std::string&, const tensor::Tensor& t) { return tensor::full_like(t, 1e30); },
      [](nn::Metadata&) {});
  expect_fails_with({"sample", "--ckpt", dir / "run", "--n", "8", "--steps", "5", "--out", dir / "x.npy"},
                    "NaN or infinite (the model or sampler diverged); nothing written");
  EXPECT_FALSE(fs::exists(dir / "x.npy"));
  expect_fails_with({"nll", "--ckpt", dir / "run", "--data", "moons", "--n", "16", "--method", "elbo", "--steps", "5"},
                    "estimate of the nll is");
  expect_fails_with({"nll", "--ckpt", dir / "run", "--data", "moons", "--n", "4", "--method", "ode"},
                    "[rk45_solve] the drift at t = 0.001 is not finite");
}

TEST(BadCheckpoints, MetadataNumbersAreParsedStrictly) {
  TempDir dir;
  const std::string ckpt = tiny_run(dir);
  rewrite(
      ckpt, [](const std::string&, const tensor::Tensor& t) { return t; }, [](nn::Metadata& m) { m["step"] = "5x"; });
  expect_fails_with({"sample", "--ckpt", dir / "run", "--n", "8", "--out", dir / "x.npy"},
                    "metadata 'step': '5x' is not an integer");
}

TEST(BadCheckpoints, AConfigLargerThanTheWeightsIsRefusedBeforeBuildingIt) {
  if (kAddressSanitizer) GTEST_SKIP() << "needs RLIMIT_AS";
  TempDir dir;
  const std::string ckpt = tiny_run(dir);
  // Width 500016: a terabyte of weights for a network whose file holds a few KB.
  rewrite(
      ckpt, [](const std::string&, const tensor::Tensor& t) { return t; },
      [](nn::Metadata& m) {
        const size_t at = m["model_config"].find("\"width\":");
        ASSERT_NE(at, std::string::npos) << m["model_config"];
        m["model_config"].insert(at + 8, "5000");  // "width":16 -> "width":500016
      });
  const std::string e = error_within_memory([&] {
    apps::ModelSourceOptions source;
    source.ckpt = dir / "run";
    apps::load_model(source);
  });
  EXPECT_TRUE(contains(e, "building the mlp its config describes needs more than")) << e;
}

TEST(BadCheckpoints, ResumeRemovesTheTemporariesOfAKilledSave) {
  TempDir dir;
  tiny_run(dir);
  std::ofstream(dir / "run/model.safetensors.tmp-4242-deadbeef") << "half a checkpoint";
  const apps_test::Result r = diffuse({"train", "--steps", "3", "--out", dir / "run", "--resume", "--data", "moons"});
  ASSERT_EQ(r.status, 0) << r.err;
  for (const auto& entry : fs::directory_iterator(dir / "run"))
    EXPECT_FALSE(contains(entry.path().filename().string(), ".tmp-")) << entry.path();
}

}  // namespace
