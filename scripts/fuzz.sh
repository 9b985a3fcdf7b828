#!/usr/bin/env bash
# Builds the fuzz targets of tests/fuzz with clang (libFuzzer, ASan, UBSan)
# in build-fuzz/ and runs each one, starting from tests/fuzz/corpus/<target>.
#   scripts/fuzz.sh [--runs N] [--seconds S] [--jobs J] [TARGET...]
# --runs N: inputs per target (default 100000); --seconds S: a time limit per
# target instead (whichever comes first when both are given). New inputs
# that add coverage go to build-fuzz/corpus/<target>; a crash, leak, timeout
# (>10 s) or an input that needs over 2 GB stops the target and is saved as
# build-fuzz/crashes/<target>/crash-* (replay: build-fuzz/bin/fuzz_<target> FILE).
# Not part of ctest's default run; see docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=100000
seconds=0
targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done

command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ not found (scripts/install-deps.sh --with-fuzz)" >&2; exit 2; }
# -O1 with line tables: fast enough to fuzz, quick to build, readable stack traces.
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Fuzz -DCMAKE_CXX_FLAGS="-O1 -gline-tables-only" -DDIFFUSE_FUZZ=ON \
  -DDIFFUSE_BUILD_TESTS=OFF -DDIFFUSE_BUILD_BENCH=OFF -DDIFFUSE_NATIVE=OFF >/dev/null
if [[ ${#targets[@]} -eq 0 ]]; then
  for src in tests/fuzz/fuzz_*.cpp; do
    name=$(basename "$src" .cpp)
    targets+=("${name#fuzz_}")
  done
fi
cmake --build build-fuzz -j"$(nproc)" --target "${targets[@]/#/fuzz_}"

# One OpenMP thread: the parsers are serial, and libFuzzer runs one input at a time.
export OMP_NUM_THREADS=1
# The targets write each input to a file under $TMPDIR; in memory when possible.
scratch=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export TMPDIR=$scratch
status=0
for target in "${targets[@]}"; do
  # Absolute paths: the data_spec target changes its working folder.
  corpus=$PWD/build-fuzz/corpus/$target
  crashes=$PWD/build-fuzz/crashes/$target
  mkdir -p "$corpus" "$crashes"
  limits=(-runs="$runs")
  [[ "$seconds" != 0 ]] && limits+=(-max_total_time="$seconds")
  echo "== $target"
  if ! build-fuzz/bin/fuzz_"$target" "${limits[@]}" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
      -artifact_prefix="$crashes/" "$corpus" "$PWD/tests/fuzz/corpus/$target" 2>&1 | tail -n 25; then
    status=1
  fi
done
exit $status
