// A full disk for tests: while a FileSizeLimit lives, writing a file past
// `bytes` fails with EFBIG, as a full disk fails with ENOSPC. Unlike a
// read-only folder it works as root. SIGXFSZ, which would kill the process
// at the limit, is ignored meanwhile.
#pragma once
#include <sys/resource.h>

#include <csignal>

namespace test_util {

class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    getrlimit(RLIMIT_FSIZE, &old_);
    rlimit limited = old_;
    limited.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &limited);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &old_);
    std::signal(SIGXFSZ, old_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit old_{};
  void (*old_handler_)(int) = nullptr;
};

}  // namespace test_util
