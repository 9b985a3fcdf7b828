#!/usr/bin/env bash
# Classifier guidance on Fashion-MNIST images (docs/guidance.md section 5):
# trains the noise-aware image classifier for an unconditional U-Net run,
# samples each class at several guidance weights, and scores every sample set
# with the metric's classifier: the share it labels K and the FD to the test set.
#
#   scripts/guidance-images.sh RUN METRIC_CLASSIFIER OUT_DIR
#
# RUN: an unconditional `diffuse train --data fashion-mnist --model unet` run
# (read only). METRIC_CLASSIFIER: from `diffuse train-classifier`. Writes
# OUT_DIR/noisy_classifier.safetensors (and its log), the samples, and
# OUT_DIR/results.tsv: class, weight, share labelled K, FD, seconds to sample.
# A stage whose output exists is skipped. Environment: DIFFUSE
# (./build/bin/diffuse), CLASSES (1 7 8), WEIGHTS (0 1 3 10), N (200),
# STEPS (50, DDIM), CLF_STEPS (4000), FIGURE (OUT_DIR/guidance_fashion_mnist_classifier.png;
# "" for none), GUIDANCE_FIGURE (./build/bin/guidance_figure).
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: scripts/guidance-images.sh RUN METRIC_CLASSIFIER OUT_DIR"
run=${1:?$usage}
metric=${2:?$usage}
out=${3:?$usage}
diffuse=${DIFFUSE:-./build/bin/diffuse}
classes=${CLASSES:-1 7 8}
weights=${WEIGHTS:-0 1 3 10}
n=${N:-200}
steps=${STEPS:-50}
clf_steps=${CLF_STEPS:-4000}
figure=${FIGURE-$out/guidance_fashion_mnist_classifier.png}
guidance_figure=${GUIDANCE_FIGURE:-./build/bin/guidance_figure}
mkdir -p "$out"
clf=$out/noisy_classifier.safetensors
schedule=$(sed -n 's/.*"schedule": *"\([a-z]*\)".*/\1/p' "$run/config.json")

if [[ ! -f $clf ]]; then
  $diffuse train-classifier --noisy --data fashion-mnist --schedule "${schedule:-linear}" --steps "$clf_steps" \
    --out "$clf" | tee "$out/noisy_classifier.log"
fi
printf 'class\tweight\tshare\tfd\tsample_seconds\n' >"$out/results.tsv"
for k in $classes; do
  for w in $weights; do
    # w = 0 is the unguided model (guidance.h): one sample set serves every class.
    samples=$out/k$k-w$w.npy
    guide=(--class "$k" --guidance "$w" --classifier "$clf")
    if [[ $w == 0 ]]; then
      samples=$out/unguided.npy
      guide=()
    fi
    if [[ ! -f $samples ]]; then
      start=$(date +%s.%N)
      $diffuse sample --ckpt "$run" --sampler ddim --steps "$steps" --n "$n" --seed 0 "${guide[@]}" --out "$samples"
      echo "$(date +%s.%N) - $start" | bc >"$samples.seconds"
    fi
    json=$($diffuse score --samples "$samples" --classifier "$metric" --n "$n" --class "$k" --json | tail -n 1)
    share=$(sed -n 's/.*"class_share": *\([0-9.eE+-]*\).*/\1/p' <<<"$json")
    fd=$(sed -n 's/.*"fd": *\([0-9.eE+-]*\).*/\1/p' <<<"$json")
    printf '%s\t%s\t%s\t%s\t%s\n' "$k" "$w" "$share" "$fd" "$(cat "$samples.seconds")" >>"$out/results.tsv"
  done
done
column -t "$out/results.tsv"
if [[ -n $figure && ! -f $figure ]]; then
  # Eight images per cell, every cell from the same x_T (examples/guidance_figure.cpp).
  mkdir -p "$(dirname "$figure")"
  $guidance_figure "$run" "$figure" "${weights// /,}" 8 "$steps" "$clf" "${classes// /,}"
fi
