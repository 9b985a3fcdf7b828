#!/usr/bin/env bash
# Builds the library and its tests and runs them: the README's test command.
#   scripts/test.sh            Release build in build/, then ctest
#   scripts/test.sh --asan     AddressSanitizer + UBSan build in build-asan/, then ctest
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

build=build
flags=(-DCMAKE_BUILD_TYPE=Release -DDIFFUSE_BUILD_BENCH=OFF)
if [[ "${1:-}" == "--asan" ]]; then
  build=build-asan
  flags=(-DCMAKE_BUILD_TYPE=Debug -DDIFFUSE_SANITIZE=ON -DDIFFUSE_BUILD_BENCH=OFF)
fi
jobs=$(nproc)
cmake -S . -B "$build" "${flags[@]}" >/dev/null
cmake --build "$build" -j"$jobs"
cd "$build"
ctest --output-on-failure -j"$jobs"
