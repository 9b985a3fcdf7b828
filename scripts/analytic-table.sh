#!/usr/bin/env bash
# The Analytic-DPM / Extended-Analytic-DPM report on a trained image run
# (docs/analytic-dpm.md, "Fashion-MNIST"): Gamma table, NPR and SN heads, the
# K-step bound (bits/dim) for every variance choice and trajectory, and the
# Frechet distance (docs/math.md 11.3) of samples against the test set.
#
#   scripts/analytic-table.sh RUN_DIR CLASSIFIER.safetensors [OUT_DIR]
#
# RUN_DIR comes from `diffuse train --data fashion-mnist --model unet ...`,
# CLASSIFIER from `diffuse train-classifier`. Every stage skips work whose
# output exists, so an interrupted report resumes. Results: OUT_DIR/nll.jsonl
# and OUT_DIR/fd.jsonl (one JSON object per line). Sizes can be overridden:
#   N_GAMMA (128)  N_NLL (256)  NLL_KS ("10 25 50 100 200"; "": no bound)  N_FD (1000)
#   FD_KS ("10 25 50"; "": the bound alone)  FD_SAMPLERS (see below)  NLL_ROWS (see below)
# The heads: COV_STEPS (1000), COV_LR (1e-3), COV_BATCH (64), COV_EMA (0) and
# COV_TAG ("": files cov_npr.safetensors, cov_sn.safetensors; "-ref" gives
# cov_npr-ref.safetensors, ...); the reference code's recipe is COV_LR=1e-4
# COV_BATCH=128 COV_EMA=0.9999 (resumable: rerun with a larger COV_STEPS).
# PROTOCOL (reference | legacy): Note [Reference protocol] in
# diffusion/analytic/variance.h; every line of nll.jsonl names its protocol.
set -euo pipefail
cd "$(dirname "$0")/.."
run=${1:?usage: scripts/analytic-table.sh RUN_DIR CLASSIFIER.safetensors [OUT_DIR]}
classifier=${2:?usage: scripts/analytic-table.sh RUN_DIR CLASSIFIER.safetensors [OUT_DIR]}
out=${3:-$run/analytic}
mkdir -p "$out/samples"
diffuse=./build/bin/diffuse
N_GAMMA=${N_GAMMA:-128}
N_NLL=${N_NLL:-256}
NLL_KS=${NLL_KS-"10 25 50 100 200"}
COV_STEPS=${COV_STEPS:-1000}
COV_LR=${COV_LR:-1e-3}
COV_BATCH=${COV_BATCH:-64}
COV_EMA=${COV_EMA:-0}
COV_TAG=${COV_TAG:-}
PROTOCOL=${PROTOCOL:-reference}
NLL_ROWS=${NLL_ROWS-"beta:even beta-tilde:even analytic:even npr:even sn:even analytic:optimal"}
N_FD=${N_FD:-1000}
FD_KS=${FD_KS-"10 25 50"}
FD_SAMPLERS=${FD_SAMPLERS-"ddpm ddpm-tilde analytic-ddpm npr-ddpm sn-ddpm ddim analytic-ddim npr-ddim sn-ddim"}

stamp() { echo "[$(date +%T)] $*"; }

if [[ ! -f $run/gamma_table.safetensors ]]; then
  stamp "estimate-gamma, $N_GAMMA images per t"
  $diffuse estimate-gamma --ckpt "$run" --n "$N_GAMMA"
fi
for kind in npr sn; do
  # Only the rows and samplers asked for need a head.
  [[ " $NLL_ROWS $FD_SAMPLERS " == *" $kind"[:-]* ]] || continue
  if [[ ! -f $run/cov_$kind$COV_TAG.safetensors ]]; then
    stamp "train-cov --kind $kind, $COV_STEPS steps"
    $diffuse train-cov --ckpt "$run" --kind "$kind" --steps "$COV_STEPS" --lr "$COV_LR" --batch "$COV_BATCH" \
      --ema "$COV_EMA" --resume --checkpoint-every 100 --out "$run/cov_$kind$COV_TAG.safetensors"
  fi
done

# The bound: one line per (variance, trajectory, K); the same --seed gives
# every variance the same draws, so their differences are paired.
for K in $NLL_KS; do
  for row in $NLL_ROWS; do
    variance=${row%%:*} trajectory=${row##*:}
    if [[ -f $out/nll.jsonl ]] && grep -F "\"steps\":$K," "$out/nll.jsonl" | grep -F "\"variance\":\"$variance\"" |
      grep -F "\"protocol\":\"$PROTOCOL\"" | grep -qF "\"trajectory_name\":\"$trajectory\""; then continue; fi
    head_flag=()
    [[ $variance == npr || $variance == sn ]] && head_flag=(--cov-head "$run/cov_$variance$COV_TAG.safetensors")
    stamp "nll K=$K variance=$variance trajectory=$trajectory protocol=$PROTOCOL"
    $diffuse nll --ckpt "$run" --data fashion-mnist-test --n "$N_NLL" --method elbo --steps "$K" \
      --variance "$variance" --trajectory "$trajectory" --protocol "$PROTOCOL" "${head_flag[@]}" --json |
      tail -n 1 >>"$out/nll.jsonl"
  done
done

# Sample quality: N_FD samples per (sampler, K), all from the same x_T seed.
# First the floor: N_FD training images against N_FD test images. FD_KS=""
# skips this part (and the classifier).
if [[ -z $FD_KS ]]; then
  stamp "done: $out/nll.jsonl"
  exit 0
fi
if ! { [[ -f $out/fd.jsonl ]] && grep -q '"sampler": "data"' "$out/fd.jsonl"; }; then
  fd=$($diffuse score --samples fashion-mnist --ref fashion-mnist-test --classifier "$classifier" --n "$N_FD" --json |
    tail -n 1)
  echo "{\"sampler\": \"data\", \"steps\": 0, \"score\": $fd}" >>"$out/fd.jsonl"
fi
for K in $FD_KS; do
  for sampler in $FD_SAMPLERS; do
    samples=$out/samples/${sampler}_K$K.npy
    if [[ ! -f $samples ]]; then
      stamp "sample $sampler K=$K"
      head_flag=()
      [[ $sampler == npr-* || $sampler == sn-* ]] && head_flag=(--cov-head "$run/cov_${sampler%%-*}$COV_TAG.safetensors")
      $diffuse sample --ckpt "$run" --sampler "$sampler" --steps "$K" --n "$N_FD" --seed 1 --protocol "$PROTOCOL" \
        "${head_flag[@]}" --out "$samples"
    fi
    if ! { [[ -f $out/fd.jsonl ]] && grep -q "\"$sampler\", *\"steps\": *$K[,}]" "$out/fd.jsonl"; }; then
      fd=$($diffuse score --samples "$samples" --ref fashion-mnist-test --classifier "$classifier" --n "$N_FD" --json |
        tail -n 1)
      echo "{\"sampler\": \"$sampler\", \"steps\": $K, \"score\": $fd}" >>"$out/fd.jsonl"
    fi
  done
done
stamp "done: $out/nll.jsonl, $out/fd.jsonl"
