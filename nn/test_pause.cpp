// The crash test's pause points (see test_pause.h).
//
// Note [Crash test pauses]: a kill at a random time rarely lands inside a
// file write (a checkpoint's write takes a millisecond of a step's hundred),
// yet those are the moments crash safety is about. With
// DIFFUSE_TEST_PAUSE_AT=NAME the process stops itself at one such moment and
// the test sends SIGKILL while it is stopped, which is a kill at exactly that
// point. NAME is a file's name: for a file written by write_file_atomically
// (model.safetensors, loss.svg, samples.png), the stop comes with the
// temporary complete and synced, before the rename; for loss.csv, with half
// of a row written. Unset, the only cost is a getenv per file write.
#include "nn/test_pause.h"

#include <csignal>
#include <cstdlib>

namespace nn {

bool test_pause_requested(std::string_view point) {
  const char* requested = std::getenv("DIFFUSE_TEST_PAUSE_AT");
  return requested != nullptr && point == requested;
}

void test_pause(std::string_view point) {
  if (test_pause_requested(point)) std::raise(SIGSTOP);
}

}  // namespace nn
