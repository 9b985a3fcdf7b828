#!/usr/bin/env bash
# One row of the one-hour recipe search (docs/recipe.md): train a Fashion-MNIST
# U-Net with the given flags, draw 1000 samples with the EMA weights and with
# the live weights, and score both with `diffuse score` (docs/math.md 11.3).
#
#   scripts/recipe-run.sh OUT_DIR NAME STEPS [diffuse train flags ...]
#
# Writes OUT_DIR/NAME/ (the run) and appends one line per weight set to
# OUT_DIR/results.tsv: name, steps, weights, sampler, NFE, FD, flags.
# A stage whose output exists is skipped, so an interrupted search resumes.
# Environment: DIFFUSE (binary, ./build/bin/diffuse), CLASSIFIER (the score's
# classifier, made by `diffuse train-classifier` if missing: runs/classifier.safetensors),
# SAMPLER (dpm-solver++2m), NFE (20), N (1000 samples), SAMPLE_SEED (0), WEIGHTS ("ema live").
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: scripts/recipe-run.sh OUT_DIR NAME STEPS [diffuse train flags ...]"
out=${1:?$usage}
name=${2:?$usage}
steps=${3:?$usage}
shift 3
diffuse=${DIFFUSE:-./build/bin/diffuse}
classifier=${CLASSIFIER:-runs/classifier.safetensors}
run=$out/$name
mkdir -p "$out"

if [[ ! -f $classifier ]]; then
  mkdir -p "$(dirname "$classifier")"
  $diffuse train-classifier --out "$classifier"
fi
# The step a checkpoint was saved at, from its safetensors header's metadata
# (config.json holds the steps a run was started with, not those it was resumed to).
ckpt_step() { head -c 4096 "$1" | grep -ao '"step":"[0-9]*"' | head -n 1 | tr -dc 0-9; }
if [[ ! -f $run/model.safetensors ]] || [[ $(ckpt_step "$run/model.safetensors") != "$steps" ]]; then
  # --resume continues a run that was stopped, or one extended to more steps.
  resume=""
  [[ -f $run/model.safetensors ]] && resume=--resume
  $diffuse train --data fashion-mnist --model unet --steps "$steps" --samples 1 --ckpt-every 500 --log-every 200 \
    --out "$run" $resume "$@"
fi
for weights in ${WEIGHTS:-ema live}; do
  scripts/recipe-score.sh "$out" "$name" "$run" "$steps" "$weights" "$@"
done
