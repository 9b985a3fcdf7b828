#!/usr/bin/env bash
# Sample quality against model evaluations (NFE) on a trained image run
# (docs/fast-solvers.md, "Fashion-MNIST: quality against NFE"): N samples per
# (sampler, NFE, seed) from the EMA weights, each scored by the classifier
# Frechet distance (docs/math.md 11.3) against the test set, and the figure.
#
#   scripts/solver-nfe-table.sh RUN_DIR CLASSIFIER.safetensors [OUT_DIR]
#
# RUN_DIR comes from `diffuse train --data fashion-mnist --model unet ...`
# (analytic-ddpm also needs its gamma_table.safetensors, from `diffuse
# estimate-gamma`), CLASSIFIER from `diffuse train-classifier`. Each sample
# file, its time and its score are kept, and work whose output exists is
# skipped, so an interrupted table resumes. Results (OUT_DIR, default
# RUN_DIR/nfe): nfe.tsv (sampler, nfe, seed, fd, sample_seconds: the wall time
# of the `diffuse sample` run), nfe.md (the FD and the time as markdown tables,
# one row per sampler, the seeds of a cell separated by " / "), floor.json
# (N training against N test images) and nfe.png. Overrides:
#   SAMPLERS ("ddim dpm-solver++2m dpm-solver++3m edm-heun"; ddim runs with eta 0)
#   NFES ("10 20 50")  N (1000)  SEED (1)  SPREAD_SEEDS ("1001": more seeds, at SPREAD_NFES only)
#   SPREAD_NFES ("10 20")  CONTRAST ("ddpm analytic-ddpm": stochastic samplers, at NFES and SEED,
#   run last)  DIFFUSE (./build/bin/diffuse)  FIGURE (./build/bin/curves_figure)
# Seeds: `diffuse sample` seeds its chunk i of 128 images with seed + i, so
# seeds closer than N / 128 would share noise; 1 and 1001 share none.
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: scripts/solver-nfe-table.sh RUN_DIR CLASSIFIER.safetensors [OUT_DIR]"
run=${1:?$usage}
classifier=${2:?$usage}
out=${3:-$run/nfe}
diffuse=${DIFFUSE:-./build/bin/diffuse}
figure=${FIGURE:-./build/bin/curves_figure}
SAMPLERS=${SAMPLERS-"ddim dpm-solver++2m dpm-solver++3m edm-heun"}
NFES=${NFES-"10 20 50"}
N=${N:-1000}
SEED=${SEED:-1}
SPREAD_SEEDS=${SPREAD_SEEDS-"1001"}
SPREAD_NFES=${SPREAD_NFES-"10 20"}
CONTRAST=${CONTRAST-"ddpm analytic-ddpm"}
mkdir -p "$out/samples" "$out/scores"

stamp() { echo "[$(date +%T)] $*"; }

# The floor: N training images against N test images.
if [[ ! -f $out/floor.json ]]; then
  stamp "score: $N training images against $N test images"
  $diffuse score --samples fashion-mnist --ref fashion-mnist-test --classifier "$classifier" --n "$N" --json |
    tail -n 1 >"$out/floor.json.tmp"
  mv "$out/floor.json.tmp" "$out/floor.json"
fi

# One (sampler, NFE, seed): samples/NAME.npy and its wall time NAME.seconds, then scores/NAME.json.
one_cell() {
  local sampler=$1 nfe=$2 seed=$3
  local name=${sampler}_nfe${nfe}_seed$seed
  local samples=$out/samples/$name.npy
  if [[ ! -f $out/samples/$name.seconds ]]; then
    stamp "sample $sampler NFE=$nfe seed=$seed"
    local eta=()
    [[ $sampler == ddim ]] && eta=(--eta 0)
    local start end
    start=$(date +%s.%N)
    $diffuse sample --ckpt "$run" --sampler "$sampler" "${eta[@]}" --steps "$nfe" --n "$N" --seed "$seed" \
      --out "$samples"
    end=$(date +%s.%N)
    echo "$start $end" | awk '{printf "%.1f\n", $2 - $1}' >"$out/samples/$name.seconds"
  fi
  if [[ ! -f $out/scores/$name.json ]]; then
    $diffuse score --samples "$samples" --ref fashion-mnist-test --classifier "$classifier" --n "$N" --json |
      tail -n 1 >"$out/scores/$name.json.tmp"
    mv "$out/scores/$name.json.tmp" "$out/scores/$name.json"
  fi
}

for nfe in $NFES; do
  for sampler in $SAMPLERS; do one_cell "$sampler" "$nfe" "$SEED"; done
done
for seed in $SPREAD_SEEDS; do
  for nfe in $SPREAD_NFES; do
    for sampler in $SAMPLERS; do one_cell "$sampler" "$nfe" "$seed"; done
  done
done
for nfe in $NFES; do
  for sampler in $CONTRAST; do one_cell "$sampler" "$nfe" "$SEED"; done
done

fd_of() { sed -n 's/.*"fd": *\([0-9.eE+-]*\).*/\1/p' "$1"; }

# The table, in the order of SAMPLERS and CONTRAST, then NFE, then seed.
{
  printf 'sampler\tnfe\tseed\tfd\tsample_seconds\n'
  for sampler in $SAMPLERS $CONTRAST; do
    for nfe in $NFES; do
      for seed in $SEED $SPREAD_SEEDS; do
        name=${sampler}_nfe${nfe}_seed$seed
        [[ -f $out/scores/$name.json ]] || continue
        printf '%s\t%s\t%s\t%s\t%s\n' "$sampler" "$nfe" "$seed" "$(fd_of "$out/scores/$name.json")" \
          "$(cat "$out/samples/$name.seconds")"
      done
    done
  done
} >"$out/nfe.tsv"

# Markdown: FD, then seconds, per sampler (rows) and NFE (columns), the seeds of a cell in SEED, SPREAD_SEEDS order.
markdown() {
  awk -F'\t' -v column="$1" -v format="$2" -v nfes="$NFES" '
    NR == 1 { next }
    !($1 in seen) { seen[$1] = 1; order[++rows] = $1 }
    {
      key = $1 SUBSEP $2; value = sprintf(format, $column)
      cell[key] = count[key]++ ? cell[key] " / " value : value
    }
    END {
      n = split(nfes, nfe, " ")
      line = "| sampler |"; rule = "|---|"
      for (j = 1; j <= n; ++j) { line = line " NFE " nfe[j] " |"; rule = rule "---|" }
      print line; print rule
      for (i = 1; i <= rows; ++i) {
        line = "| " order[i] " |"
        for (j = 1; j <= n; ++j) line = line " " cell[order[i] SUBSEP nfe[j]] " |"
        print line
      }
    }' "$out/nfe.tsv"
}
{
  echo "FD of $N samples to $N test images (seeds: $SEED $SPREAD_SEEDS); floor, $N training images: $(printf %.2f "$(fd_of "$out/floor.json")")"
  echo
  markdown 4 "%.1f"
  echo
  echo "Wall time of each \`diffuse sample\` run, seconds"
  echo
  markdown 5 "%.0f"
} >"$out/nfe.md"

# The figure: FD against NFE per sampler, the points of every seed and a line through their mean.
floor=$(fd_of "$out/floor.json")
$figure --tsv "$out/nfe.tsv" --series sampler --x nfe --y fd --log-x --log-y \
  --x-title "model evaluations (NFE)" --y-title "FD to the test set" \
  --title "Fashion-MNIST: FD of $N samples against NFE" \
  --hline "$floor:$N training images" --out "$out/nfe.png"
stamp "done: $out/nfe.tsv, $out/nfe.md, $out/nfe.png"
