// What the nn layer does with outside bytes and failing disks: strict
// numbers in metadata, non-finite weights refused at load, and atomic writes
// that leave the target complete or absent (Note [Atomic writes]).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>

#include "error_util.h"
#include "file_limits.h"
#include "nn/atomic_file.h"
#include "nn/checkpoint.h"
#include "nn/layers/linear.h"
#include "nn/strict_number.h"
#include "tensor/ops.h"

namespace fs = std::filesystem;
using tensor_test::contains;
using tensor_test::error_of;

namespace {

// A fresh directory, removed at the end of the test.
struct ScratchDir {
  fs::path path;
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "diffuse_nn_XXXXXX").string();
    path = mkdtemp(pattern.data());
  }
  ~ScratchDir() { fs::remove_all(path); }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
  size_t entries() const { return static_cast<size_t>(std::distance(fs::directory_iterator(path), {})); }
};

}  // namespace

TEST(StrictNumber, TheWholeTokenMustBeTheNumber) {
  EXPECT_EQ(nn::parse_int64("5", "k"), 5);
  EXPECT_EQ(nn::parse_int64("-3", "k"), -3);
  EXPECT_EQ(nn::parse_uint64("18446744073709551615", "k"), std::numeric_limits<uint64_t>::max());
  EXPECT_DOUBLE_EQ(nn::parse_finite_double("1e-3", "k"), 1e-3);
  for (const char* bad : {"5x", "1e3", " 5", "5 ", "", "+5", "0x10", "1.0"})
    EXPECT_TRUE(contains(error_of([&] { nn::parse_int64(bad, "file: metadata 'step'"); }), "is not an integer"))
        << "'" << bad << "'";
  EXPECT_TRUE(contains(error_of([] { nn::parse_int64("9223372036854775808", "k"); }), "out of range"));
  EXPECT_TRUE(contains(error_of([] { nn::parse_int64("-1", "k", 0); }), "-1 is out of range (need 0.."));
  EXPECT_TRUE(contains(error_of([] { nn::parse_uint64("-1", "k"); }), "not a non-negative integer"));
  for (const char* bad : {"nan", "inf", "1e400", "0.5x", ""})
    EXPECT_TRUE(contains(error_of([&] { nn::parse_finite_double(bad, "k"); }), "not a finite number")) << bad;
}

TEST(CheckpointLoad, MetadataCountsAreParsedStrictly) {
  tensor::Generator gen(0);
  nn::Linear layer(2, 3, gen);
  nn::EMA ema(layer);
  nn::Checkpoint ckpt;
  nn::put_ema_state(ckpt, ema);
  ckpt.metadata["ema:updates"] = "5x";  // std::stoll read this as 5
  const std::string e = error_of([&] { nn::restore_ema_state(ckpt, ema); });
  EXPECT_TRUE(contains(e, "metadata 'ema:updates'") && contains(e, "'5x' is not an integer")) << e;
}

TEST(CheckpointLoad, NonFiniteWeightsAreRefusedWithTheTensorsName) {
  ScratchDir dir;
  tensor::Generator gen(0);
  nn::Linear layer(2, 3, gen);
  nn::StateDict state = layer.state_dict();
  state["bias"] = tensor::full({3}, std::numeric_limits<float>::quiet_NaN());
  nn::save_safetensors(dir / "nan.safetensors", state);
  const std::string e = error_of([&] { nn::load_checkpoint(dir / "nan.safetensors", layer); });
  EXPECT_TRUE(contains(e, "nan.safetensors") && contains(e, "tensor 'bias'") && contains(e, "NaN or infinite")) << e;
  state["bias"] = tensor::full({3}, std::numeric_limits<float>::infinity());
  nn::save_safetensors(dir / "inf.safetensors", state);
  EXPECT_TRUE(contains(error_of([&] { nn::load_checkpoint(dir / "inf.safetensors", layer); }), "tensor 'bias'"));
}

TEST(AtomicFile, AFullDiskLeavesNeitherAShortFileNorATemporary) {
  ScratchDir dir;
  const std::string bytes(1 << 16, 'x');
  {
    const test_util::FileSizeLimit limit(1000);
    const std::string e = error_of([&] { nn::write_file_atomically(dir / "out.bin", bytes); });
    EXPECT_TRUE(contains(e, "out.bin: write failed")) << e;
  }
  EXPECT_EQ(dir.entries(), 0u);
  // An old file under the name survives a failed replacement untouched.
  nn::write_file_atomically(dir / "out.bin", std::string("old"));
  {
    const test_util::FileSizeLimit limit(1000);
    EXPECT_FALSE(error_of([&] { nn::write_file_atomically(dir / "out.bin", bytes); }).empty());
  }
  std::ifstream in(dir / "out.bin");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "old");
  EXPECT_EQ(dir.entries(), 1u);
}

TEST(AtomicFile, ASafetensorsSaveOnAFullDiskThrows) {
  ScratchDir dir;
  tensor::Generator gen(0);
  nn::Linear layer(64, 64, gen);
  const test_util::FileSizeLimit limit(1000);
  const std::string e = error_of([&] { nn::save_checkpoint(dir / "model.safetensors", layer); });
  EXPECT_TRUE(contains(e, "[safetensors]") && contains(e, "write failed")) << e;
  EXPECT_EQ(dir.entries(), 0u);
}

TEST(AtomicFile, AReadOnlyFolderIsAnError) {
  if (geteuid() == 0) GTEST_SKIP() << "root writes into read-only folders";
  ScratchDir dir;
  fs::permissions(dir.path, fs::perms::owner_read | fs::perms::owner_exec);
  const std::string e = error_of([&] { nn::write_file_atomically(dir / "out.bin", std::string("x")); });
  fs::permissions(dir.path, fs::perms::owner_all);
  EXPECT_TRUE(contains(e, "cannot create")) << e;
}

TEST(AtomicFile, StaleTemporariesAreRemovedAndNothingElse) {
  ScratchDir dir;
  std::ofstream(dir / "model.safetensors.tmp-123-0000abcd") << "partial";
  std::ofstream(dir / "loss.svg.tmp-9-1") << "partial";
  std::ofstream(dir / "model.safetensors") << "keep";
  std::ofstream(dir / "loss.csv") << "keep";
  EXPECT_EQ(nn::remove_stale_temporaries(dir.path.string()), 2);
  EXPECT_EQ(dir.entries(), 2u);
  EXPECT_TRUE(fs::exists(dir / "model.safetensors"));
}
