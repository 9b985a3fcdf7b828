// What the command line does besides running a subcommand: the flag a near
// miss meant ("did you mean --steps?"), the text of `diffuse --version`, and
// the refusals and warnings for flags that would otherwise be ignored
// silently (docs/cli.md, "Errors and warnings").
#pragma once
#include <CLI/CLI.hpp>
#include <ostream>
#include <string>
#include <vector>

namespace apps {

// Damerau-Levenshtein distance (optimal string alignment: insertions,
// deletions, substitutions and swaps of neighbours each cost 1).
int edit_distance(const std::string& a, const std::string& b);

// The name in `names` closest to `typed`: within edit distance 2 (and less
// than the name's length), or one that `typed` begins; "" when none is close.
std::string closest_name(const std::string& typed, const std::vector<std::string>& names);

// " (did you mean --steps?)" for the first unknown --flag in argv that is
// close to an option of the chosen subcommand or of `app`; "" otherwise.
std::string suggest_flag(const CLI::App& app, int argc, char** argv);

// After the subcommands are declared: --threads (and any flag of `app`) is
// accepted anywhere on the line, and every --seed refuses negative numbers.
void add_manners(CLI::App& app);

// Refuses (apps::Error) flag combinations where a flag would mean nothing,
// and warns where one is merely suspicious; `threads` is --threads.
void check_flags(const CLI::App& app, int threads);

// `diffuse --version`: the version, the BLAS and its core, the vector width
// our kernels were built for, the threads, and CUDA.
std::string version_text();

// One line "warning: ..." on the stream run_cli installs (stderr).
void warn(const std::string& message);
// Sends warn() to `stream` for this object's lifetime.
class WarningsTo {
 public:
  explicit WarningsTo(std::ostream& stream);
  ~WarningsTo();
  WarningsTo(const WarningsTo&) = delete;
  WarningsTo& operator=(const WarningsTo&) = delete;

 private:
  std::ostream* previous_;
};

// Refuses an output path that cannot be written (its directory missing or
// not writable, or the path a directory) before any work is done.
void check_writable(const std::string& path, const std::string& flag);

}  // namespace apps
