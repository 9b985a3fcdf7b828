// Atomic file writes (see atomic_file.h).
//
// Note [Atomic writes]: rename() within one filesystem replaces the target
// in one step, so readers see the old file or the new one, never a part.
// The temporary therefore lives in the target's folder, not in /tmp. Data
// reaches the disk in stages (our buffer, the kernel's cache, the device),
// and each stage can fail: fwrite or fflush with ENOSPC on a full disk,
// fsync with EIO, fclose with a deferred error (NFS). Any failure removes
// the temporary and throws; only a kill between fopen and rename leaves one,
// and remove_stale_temporaries clears those when the next run starts.
#include "nn/atomic_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#include "nn/test_pause.h"
#include "tensor/error.h"

namespace nn {

namespace fs = std::filesystem;

constexpr const char* kTemporaryMark = ".tmp-";

void write_file_atomically(const std::string& path, const std::function<bool(std::FILE*)>& write) {
  std::random_device rd;
  const std::string tmp = fmt::format("{}{}{}-{:08x}", path, kTemporaryMark, static_cast<long>(getpid()), rd());
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  TENSOR_CHECK(f != nullptr, "{}: cannot create '{}': {}", path, tmp, std::strerror(errno));
  errno = 0;
  const bool written = write(f) && std::ferror(f) == 0 && std::fflush(f) == 0 && fsync(fileno(f)) == 0;
  const int write_errno = errno;
  const bool closed = std::fclose(f) == 0;
  if (!written || !closed) {
    const int why = written ? errno : write_errno;
    std::remove(tmp.c_str());
    throw tensor::Error(fmt::format("{}: write failed: {}", path, why != 0 ? std::strerror(why) : "I/O error"));
  }
  test_pause(fs::path(path).filename().string());  // off unless a crash test asks (Note [Crash test pauses])
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    std::remove(tmp.c_str());
    throw tensor::Error(fmt::format("{}: cannot rename '{}' onto it: {}", path, tmp, ec.message()));
  }
}

void write_file_atomically(const std::string& path, std::string_view bytes) {
  write_file_atomically(path,
                        [&](std::FILE* f) { return std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size(); });
}

int remove_stale_temporaries(const std::string& dir) {
  std::error_code ec;
  int removed = 0;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file(ec) && name.find(kTemporaryMark) != std::string::npos && fs::remove(entry.path(), ec))
      ++removed;
  }
  return removed;
}

}  // namespace nn
