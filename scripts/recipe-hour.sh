#!/usr/bin/env bash
# The hour of docs/recipe.md: `diffuse train --recipe fast` for its whole
# budget (15,500 steps, 56 minutes on two idle cores), keeping a checkpoint
# every 1550 steps (5.6 minutes), then each checkpoint scored by
# scripts/recipe-score.sh, as recipe-run.sh scores a run: 1000 samples with
# DPM-Solver++ 2M at 20 evaluations (seed 0), FD against the test set
# (docs/math.md 11.3).
#
#   scripts/recipe-hour.sh OUT_DIR [diffuse train flags ...]
#
# Appends one line per checkpoint and weight set to OUT_DIR/results.tsv, in
# recipe-run.sh's columns, under the name G-hour (NAME= to change it), so
# scripts/recipe-figure.sh draws the run as it trains. Environment: DIFFUSE,
# CLASSIFIER (as in recipe-score.sh), WEIGHTS ("ema"; "ema live" for both),
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
    SAMPLER=dpm-solver++2m NFE=20 N=1000 SAMPLE_SEED=0 \
      scripts/recipe-score.sh "$out" "$name" "$ckpt" "$step" "$weights" --recipe fast "$@"
  done
done
