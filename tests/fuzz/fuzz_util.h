// Shared by the fuzz targets: the input as a file (most loaders take a
// path), and the rule that a parser may throw std::exception for bad input
// but must never crash, hang, leak or allocate more than the input justifies.
// Every target defines LLVMFuzzerTestOneInput; libFuzzer (or replay_main.cpp
// without it) calls it once per input.
#pragma once
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>

namespace fuzz {

// This process's scratch folder: under $TMPDIR when set (scripts/fuzz.sh
// sets it to a folder it removes afterwards; libFuzzer ends with _Exit, so
// the process cannot clean up itself), else under /dev/shm (memory).
inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    const bool use_tmpdir = std::getenv("TMPDIR") != nullptr || !std::filesystem::is_directory("/dev/shm");
    const std::filesystem::path base = use_tmpdir ? std::filesystem::temp_directory_path() : "/dev/shm";
    const std::filesystem::path d = base / ("diffuse_fuzz_" + std::to_string(getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

// A path in this process's scratch folder.
inline std::string scratch_path(const std::string& name) { return (scratch_dir() / name).string(); }

// Writes the bytes to scratch_path(name) and returns the path.
inline std::string write_input(const uint8_t* data, size_t size, const std::string& name) {
  const std::string path = scratch_path(name);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  return path;
}

// Runs f; a std::exception is the parser's documented answer to bad input.
template <typename F>
void expect_no_crash(F f) {
  try {
    f();
  } catch (const std::exception&) {
  }
}

}  // namespace fuzz
