// Writing a file so that it is either complete or absent: the bytes go to a
// temporary beside the target ("PATH.tmp-PID-RANDOM"), every write, the
// flush, fsync and fclose are checked, and only then is it renamed over the
// target. A full disk or a kill mid-write never leaves a short file under
// the real name. See Note [Atomic writes]. Errors are tensor::Error.
#pragma once
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

namespace nn {

// Writes `bytes` to `path` atomically.
void write_file_atomically(const std::string& path, std::string_view bytes);
// Calls `write` with the temporary's FILE* (for libraries that write to a
// stream, such as libpng); `write` returns false if it failed.
void write_file_atomically(const std::string& path, const std::function<bool(std::FILE*)>& write);

// Removes the temporaries that an interrupted write left in `dir` (names
// containing ".tmp-" from write_file_atomically); returns how many. Call it
// where no other process writes into `dir`, e.g. as a run starts.
int remove_stale_temporaries(const std::string& dir);

}  // namespace nn
