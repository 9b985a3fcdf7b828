// The `diffuse` command line: parses the arguments (CLI11), runs one
// subcommand (train, sample, invert, nll, estimate-gamma, train-cov) and
// turns any error into one line on `err` and exit status 2. main.cpp is a
// one-line call to run_cli; the tests call it in process with argument lists.
#pragma once
#include <ostream>
#include <string>
#include <vector>

namespace apps {

// Returns the process exit status: 0 on success (and for --help), 2 for a
// usage error, a bad file, a NaN loss or any other failure.
int run_cli(int argc, char** argv, std::ostream& out, std::ostream& err);
// The same from a list of arguments without the program name.
int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace apps
