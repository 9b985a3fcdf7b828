#!/usr/bin/env bash
# The recipe search of docs/recipe.md: every candidate trains a Fashion-MNIST
# U-Net for the same budget of wall time on two idle cores, converted to steps
# with the step time of its network and batch (STEP_MS below, measured with
# `diffuse train ... --log-every 10` on the idle machine: the it/s it prints);
# scripts/recipe-run.sh then draws 1000 samples with the EMA and with the live
# weights and scores them (FD, docs/math.md 11.3).
#
#   scripts/recipe-search.sh OUT_DIR [BUDGET_S]    (BUDGET_S: 300)
#
# Candidates run PARALLEL (3) at a time, one thread each, so the search takes
# longer than BUDGET_S per candidate; the steps, not the wall clock, make a
# result, so it is the same on a loaded machine. SEED (0) is the training seed;
# ONLY="A-base B-lr1e-3" runs some candidates. Results: OUT_DIR/results.tsv.
# docs/recipe.md's tables: `recipe-search.sh OUT 300`, SEED=1 ONLY="A-base
# B-lr1e-3 C-cos-v" for the second seed, and ONLY="A-base B-lr1e-3
# G-cos-v-batch32 H-cos-x0-batch32" at 600 (a run at another budget than 300
# gets its own name, NAME-10min for 600). The hour itself: scripts/recipe-hour.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/recipe-search.sh OUT_DIR [BUDGET_S]}
budget_s=${2:-300}
parallel=${PARALLEL:-3}
seed=${SEED:-0}
only=${ONLY:-}

# ms per step on two idle cores, by "--ch C --batch B".
declare -A STEP_MS=([32x64]=417 [16x64]=167 [32x32]=217)
steps_for() {  # steps_for CH BATCH: the budget in steps, rounded to tens
  local ms=${STEP_MS[$1x$2]:?no step time measured for ch $1 batch $2}
  echo $(((budget_s * 1000 / ms + 5) / 10 * 10))
}

# The candidates: name, ch, batch, then the flags that differ from the defaults
# (AdamW 2e-4 constant, EMA 0.999 with warm-up, linear schedule, eps).
fast_lr="--lr 1e-3 --warmup 100 --lr-schedule cosine --clip-grad 1"
candidates=(
  "A-base 32 64"
  "B-lr1e-3 32 64 $fast_lr"
  "C-cos-v 32 64 $fast_lr --schedule cosine --pred v"
  "D-minsnr 32 64 $fast_lr --loss-weight min-snr"
  "E-ch16 16 64 $fast_lr"
  "F-batch32 32 32 $fast_lr"
  "G-cos-v-batch32 32 32 $fast_lr --schedule cosine --pred v"
  "H-cos-x0-batch32 32 32 $fast_lr --schedule cosine --pred x0"
)

export OMP_NUM_THREADS=1
running=0
for spec in "${candidates[@]}"; do
  read -r name ch batch flags <<<"$spec"
  [[ -z $only || " $only " == *" $name "* ]] || continue
  suffix=""
  [[ $seed != 0 ]] && suffix="-seed$seed"
  [[ $budget_s != 300 ]] && suffix="$suffix-$((budget_s / 60))min"
  # shellcheck disable=SC2086
  scripts/recipe-run.sh "$out" "$name$suffix" "$(steps_for "$ch" "$batch")" --ch "$ch" --batch "$batch" --seed "$seed" \
    $flags >"$out-$name$suffix.log" 2>&1 &
  running=$((running + 1))
  if ((running >= parallel)); then
    wait -n
    running=$((running - 1))
  fi
done
wait
column -t -s $'\t' "$out/results.tsv"
