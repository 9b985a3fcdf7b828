#!/usr/bin/env bash
# Steps per second of `diffuse train` on 1, 2 and 4 MPI ranks with the same
# global batch and --shards 4 (so every run does the same arithmetic and ends
# with the same weights), as a markdown table for docs/distributed.md.
#   scripts/mpi-scaling.sh [BUILD_DIR]      (needs a build with DIFFUSE_MPI)
# Each rank runs THREADS OpenMP threads (default 1), so that the ranks alone
# make the difference; the load average is printed with the table: on a
# shared machine it says how much to trust it.
set -euo pipefail
build=${1:-build}
diffuse=$build/bin/diffuse
cores=$(nproc)
source "$(dirname "$0")/mpi-runs.sh"
echo "$cores cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| model, batch | ranks | threads per rank | steps/s | speed-up |"
echo "|---|---|---|---|---|"
for workload in "${workloads[@]}"; do
  name=${workload%%|*}
  flags=${workload#*|}
  base=""
  for ranks in 1 2 4; do
    steps=$(flag_value --steps "$flags")
    # shellcheck disable=SC2086
    "${mpi[@]}" -np "$ranks" "$diffuse" train $flags --shards 4 \
      --samples 4 --log-every "$steps" --out "$work/$name-$ranks" >"$work/$name-$ranks.log" 2>&1
    rate=$(rate_in "$work/$name-$ranks.log")
    [[ -n $base ]] || base=$rate
    batch=$(flag_value --batch "$flags")
    echo "| $name, $batch | $ranks | $threads | $rate | $(awk -v r="$rate" -v b="$base" 'BEGIN { printf "%.2f", r / b }') |"
  done
  cmp "$work/$name-1/model.safetensors" "$work/$name-4/model.safetensors" >/dev/null ||
    echo "(note: the $name runs on 1 and 4 ranks ended with different weights)"
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
