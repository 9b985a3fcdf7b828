// Helpers shared by the apps tests: a fresh temporary directory per test,
// small file writers for building fixtures (IDX, raw bytes) in place, and a
// check of an apps::Error's message.
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

#include "apps/error.h"

namespace apps_test {

// A directory under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "diffuse_test_XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes, bool gzip = false) {
  if (gzip) {
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
    return;
  }
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

inline std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// An IDX unsigned-byte image file: magic 00 00 08 03, dims big-endian, pixels.
inline std::vector<uint8_t> idx_images(uint32_t n, uint32_t h, uint32_t w, const std::vector<uint8_t>& pixels) {
  std::vector<uint8_t> bytes = {0, 0, 0x08, 3};
  for (uint32_t d : {n, h, w})
    for (int shift : {24, 16, 8, 0}) bytes.push_back(static_cast<uint8_t>(d >> shift));
  bytes.insert(bytes.end(), pixels.begin(), pixels.end());
  return bytes;
}

// An IDX unsigned-byte label file: magic 00 00 08 01, the count big-endian, the labels.
inline std::vector<uint8_t> idx_labels(const std::vector<uint8_t>& labels) {
  std::vector<uint8_t> bytes = {0, 0, 0x08, 1};
  const auto n = static_cast<uint32_t>(labels.size());
  for (int shift : {24, 16, 8, 0}) bytes.push_back(static_cast<uint8_t>(n >> shift));
  bytes.insert(bytes.end(), labels.begin(), labels.end());
  return bytes;
}

// A labeled toy set of n 8x8 images written as IDX files: class 0 dark with
// a bright left half, class 1 dark with a bright right half (labels
// alternate 0, 1, 0, ...), so a few AdamW steps separate them. Pixel noise
// from i keeps every image distinct (the covariance of features is then full rank).
constexpr uint32_t kTwoHalvesSide = 8;
inline void write_toy_set(const std::string& images_path, const std::string& labels_path, uint32_t n) {
  constexpr uint32_t side = kTwoHalvesSide;
  std::vector<uint8_t> pixels, labels;
  for (uint32_t i = 0; i < n; ++i) {
    const uint8_t label = i % 2;
    labels.push_back(label);
    for (uint32_t y = 0; y < side; ++y)
      for (uint32_t x = 0; x < side; ++x) {
        const bool bright = label == 0 ? x < side / 2 : x >= side / 2;
        pixels.push_back(static_cast<uint8_t>((bright ? 200 : 30) + (i * 7 + y * 3 + x) % 23));
      }
  }
  write_bytes(images_path, idx_images(n, side, side, pixels));
  write_bytes(labels_path, idx_labels(labels));
}

// Runs f, expecting an apps::Error whose message holds every fragment.
template <typename F>
void expect_error(F f, std::initializer_list<std::string> fragments) {
  try {
    f();
    FAIL() << "no error";
  } catch (const apps::Error& e) {
    for (const auto& fragment : fragments)
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

}  // namespace apps_test
