#!/usr/bin/env bash
# Scores one checkpoint for the recipe search (docs/recipe.md), as
# recipe-run.sh and recipe-hour.sh both do: N samples with SAMPLER at NFE
# evaluations (seed SAMPLE_SEED), their FD against the test set from
# `diffuse score` (docs/math.md 11.3), kept in RUN/fd-TAG.json, and one line
# appended to OUT_DIR/results.tsv: name, step, weights, sampler, NFE, FD,
# flags. A checkpoint already scored (its fd-TAG.json exists) is skipped.
#
#   scripts/recipe-score.sh OUT_DIR NAME CKPT STEP WEIGHTS [flags to record ...]
#
# CKPT: a run directory or a model-STEP.safetensors; WEIGHTS: ema or live.
# Environment: DIFFUSE (./build/bin/diffuse), CLASSIFIER
# (runs/classifier.safetensors), SAMPLER (dpm-solver++2m), NFE (20), N (1000),
# SAMPLE_SEED (0).
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: scripts/recipe-score.sh OUT_DIR NAME CKPT STEP WEIGHTS [flags ...]"
out=${1:?$usage}
name=${2:?$usage}
ckpt=${3:?$usage}
step=${4:?$usage}
weights=${5:?$usage}
shift 5
diffuse=${DIFFUSE:-./build/bin/diffuse}
classifier=${CLASSIFIER:-runs/classifier.safetensors}
sampler=${SAMPLER:-dpm-solver++2m}
nfe=${NFE:-20}
n=${N:-1000}
sample_seed=${SAMPLE_SEED:-0}
run=$out/$name
tag=$sampler-$nfe-$weights-s$sample_seed-step$step
[[ -f $run/fd-$tag.json ]] && exit 0
flag=""
[[ $weights == live ]] && flag=--no-ema
$diffuse sample --ckpt "$ckpt" $flag --sampler "$sampler" --steps "$nfe" --n "$n" --seed "$sample_seed" \
  --out "$run/samples-$tag.npy"
$diffuse score --samples "$run/samples-$tag.npy" --classifier "$classifier" --n "$n" --json | tail -n 1 \
  >"$run/fd-$tag.json.tmp"
mv "$run/fd-$tag.json.tmp" "$run/fd-$tag.json"
rm -f "$run/samples-$tag.npy"
fd=$(sed -n 's/.*"fd": *\([0-9.eE+-]*\).*/\1/p' "$run/fd-$tag.json")
printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$step" "$weights" "$sampler" "$nfe" "$fd" "$*" >>"$out/results.tsv"
