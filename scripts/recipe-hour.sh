#!/usr/bin/env bash
# The hour of docs/recipe.md: `diffuse train --recipe fast` for its whole
# budget (15,500 steps, 56 minutes on two idle cores), keeping a checkpoint
# every 1550 steps (5.6 minutes), then each checkpoint scored as
# scripts/recipe-run.sh scores a run: 1000 samples with DPM-Solver++ 2M at 20
# evaluations (seed 0), FD against the test set (docs/math.md 11.3).
#
#   scripts/recipe-hour.sh OUT_DIR [diffuse train flags ...]
#
# Appends one line per checkpoint and weight set to OUT_DIR/results.tsv, in
# recipe-run.sh's columns, under the name G-hour (NAME= to change it), so
# scripts/recipe-figure.sh draws the run as it trains. Environment as in
# recipe-run.sh: DIFFUSE, CLASSIFIER, WEIGHTS ("ema"; "ema live" for both);
# OMP_NUM_THREADS. A stage whose output exists is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/recipe-hour.sh OUT_DIR [diffuse train flags ...]}
shift
diffuse=${DIFFUSE:-./build/bin/diffuse}
classifier=${CLASSIFIER:-runs/classifier.safetensors}
name=${NAME:-G-hour}
run=$out/$name
mkdir -p "$out"
if [[ ! -f $classifier ]]; then
  mkdir -p "$(dirname "$classifier")"
  $diffuse train-classifier --out "$classifier"
fi
if [[ ! -f $run/model-15500.safetensors ]]; then
  resume=""
  [[ -f $run/model.safetensors ]] && resume=--resume
  $diffuse train --recipe fast --ckpt-every 1550 --keep 10 --log-every 200 --out "$run" $resume "$@"
fi
for ckpt in $(ls "$run"/model-*.safetensors | sort -t- -k2 -n); do
  step=$(basename "$ckpt" .safetensors)
  step=${step#model-}
  for weights in ${WEIGHTS:-ema}; do
    tag=$weights-step$step
    [[ -f $run/fd-$tag.json ]] && continue
    flag=""
    [[ $weights == live ]] && flag=--no-ema
    $diffuse sample --ckpt "$ckpt" $flag --sampler dpm-solver++2m --steps 20 --n 1000 --seed 0 \
      --out "$run/samples-$tag.npy"
    $diffuse score --samples "$run/samples-$tag.npy" --classifier "$classifier" --n 1000 --json | tail -n 1 \
      >"$run/fd-$tag.json.tmp"
    mv "$run/fd-$tag.json.tmp" "$run/fd-$tag.json"
    rm -f "$run/samples-$tag.npy"
    fd=$(sed -n 's/.*"fd": *\([0-9.eE+-]*\).*/\1/' "$run/fd-$tag.json")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$step" "$weights" dpm-solver++2m 20 "$fd" "--recipe fast $*" \
      >>"$out/results.tsv"
  done
done
