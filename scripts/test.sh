#!/usr/bin/env bash
# Builds the library and its tests and runs them: the README's test command,
# and CI's (.ci/run). docs/reliability.md says what runs where and how long.
#   scripts/test.sh            the Release build in build/ and its full ctest, then the
#                              sanitized checks: an AddressSanitizer + UBSan build in
#                              build-asan/ runs the parsers' tests, the fuzz corpus
#                              replays and the tensor, autograd and nn suites
#   scripts/test.sh --release  the Release part only
#   scripts/test.sh --asan     the full ctest in the AddressSanitizer + UBSan build
# The last line counts the tests that passed and failed; the exit status is
# non-zero when one failed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

mode=${1:-}
[[ -z $mode || $mode == --release || $mode == --asan ]] || { echo "test.sh: unknown option $mode" >&2; exit 2; }
jobs=$(nproc)
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# ctest in build folder $1 with the arguments after it; adds up its counts
# (a run that finds no test counts as a failure).
run_ctest() {
  local dir=$1 status=0 total fails
  shift
  (cd "$dir" && ctest --output-on-failure -j"$jobs" "$@") 2>&1 | tee "$log" || status=$?
  total=$(grep -oE 'tests failed out of [0-9]+' "$log" | grep -oE '[0-9]+$' || echo 0)
  fails=$(grep -oE '[0-9]+ tests failed out of' "$log" | grep -oE '^[0-9]+' || echo 0)
  ((status == 0)) || ((fails > 0)) || fails=1
  passed=$((passed + total - fails))
  ((total > 0)) || fails=1
  failed=$((failed + fails))
}

# The sanitized build; the fuzz targets replay their corpus (DIFFUSE_FUZZ with
# gcc: tests/fuzz/CMakeLists.txt), as ctest's fuzz_replay_* tests.
# CUDA off there: its kernels cannot run without a GPU, and nvcc would double the build time.
sanitized=(-DCMAKE_BUILD_TYPE=Debug -DDIFFUSE_SANITIZE=ON -DDIFFUSE_FUZZ=ON -DDIFFUSE_BUILD_BENCH=OFF -DDIFFUSE_CUDA=OFF)
# Under the sanitizers: every parser of outside data (Note [Atomic writes],
# docs/reliability.md) and the layers everything else stands on.
parser_suites='Safetensors|Checkpoint|CheckpointLoad|StrictNumber|AtomicFile|Npy|NpySizes|Png|PngSizes|PngDir|Idx|IdxSizes|IdxLabels|LoadData|BadCheckpoints|FailedWrites'
core_layers='tensor|autograd|nn'
# Tests ask for more memory than exists on purpose (SizeOverflow.*) and expect
# a named error; ASan's allocator must return null for that, not abort.
export ASAN_OPTIONS=${ASAN_OPTIONS:-allocator_may_return_null=1}

if [[ $mode != --asan ]]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DDIFFUSE_BUILD_BENCH=OFF >/dev/null
  cmake --build build -j"$jobs"
  run_ctest build
fi
if [[ $mode == --asan ]]; then
  cmake -S . -B build-asan "${sanitized[@]}" >/dev/null
  cmake --build build-asan -j"$jobs"
  run_ctest build-asan
elif [[ -z $mode ]]; then
  cmake -S . -B build-asan "${sanitized[@]}" >/dev/null
  fuzz_targets=$(ls tests/fuzz/fuzz_*.cpp | xargs -n1 basename | sed 's/\.cpp$//')
  # shellcheck disable=SC2086
  cmake --build build-asan -j"$jobs" --target tensor_tests autograd_tests nn_tests apps_tests $fuzz_targets
  run_ctest build-asan -R "^(($parser_suites)\.|fuzz_replay_)"
  run_ctest build-asan -L "^($core_layers)\$"
fi
echo "scripts/test.sh ran ${mode:-the Release and sanitized parts}"
echo "tests: $passed passed, $failed failed"
((failed == 0))
