// DIFFUSE_TEST_PAUSE_AT: how the crash test (tests/apps/kill_resume_test.sh)
// stops a `diffuse train` at an exact point of a file write, to SIGKILL it
// there. Off unless that environment variable is set; Note [Crash test pauses].
#pragma once
#include <string_view>

namespace nn {

// True if the environment variable DIFFUSE_TEST_PAUSE_AT equals `point`.
bool test_pause_requested(std::string_view point);
// If test_pause_requested(point), stops this process (SIGSTOP) until a
// signal continues or kills it; otherwise does nothing.
void test_pause(std::string_view point);

}  // namespace nn
