#!/usr/bin/env bash
# Steps per second of `diffuse train --grad-reduce allreduce` on RANKS MPI
# ranks (default 2) with the gradient sent in buckets during the backward pass
# (--grad-bucket-kb 256, the default) and whole after it (--grad-bucket-kb 0),
# alternating the two REPEATS times (default 3), as a markdown table for
# docs/distributed.md. The load average is printed with it: on a shared
# machine it says how much to trust the numbers.
#   scripts/mpi-overlap.sh [BUILD_DIR]      (needs a build with DIFFUSE_MPI)
set -euo pipefail
build=${1:-build}
diffuse=$build/bin/diffuse
ranks=${RANKS:-2}
repeats=${REPEATS:-3}
source "$(dirname "$0")/mpi-runs.sh"
echo "$(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| model, batch | ranks | bucket KB | steps/s, run by run | median |"
echo "|---|---|---|---|---|"
for workload in "${workloads[@]}"; do
  name=${workload%%|*}
  flags=${workload#*|}
  steps=$(flag_value --steps "$flags")
  batch=$(flag_value --batch "$flags")
  declare -A rates=([0]="" [256]="")
  for ((i = 0; i < repeats; ++i)); do
    for kb in 256 0; do
      # shellcheck disable=SC2086
      "${mpi[@]}" -np "$ranks" "$diffuse" train $flags --shards "$ranks" --grad-reduce allreduce \
        --grad-bucket-kb $kb --samples 4 --log-every "$steps" --out "$work/$name-$kb-$i" >"$work/log" 2>&1
      rates[$kb]+="$(rate_in "$work/log") "
    done
  done
  for kb in 256 0; do
    median=$(tr ' ' '\n' <<<"${rates[$kb]}" | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
    echo "| $name, $batch | $ranks | $kb | ${rates[$kb]% } | $median |"
  done
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
