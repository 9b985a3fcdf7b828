// The `diffuse` program: everything is in the apps library (cli.h), so the
// tests can run the same commands in process.
#include <iostream>

#include "apps/cli.h"

int main(int argc, char** argv) { return apps::run_cli(argc, argv, std::cout, std::cerr); }
