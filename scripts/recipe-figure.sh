#!/usr/bin/env bash
# Quality against training budget for the recipe search (docs/recipe.md): the
# EMA rows of recipe-run.sh's results.tsv, each run's steps turned back into
# minutes of two idle cores with the step times of recipe-search.sh, one line
# per recipe (several seeds at one budget: a marker each, the line through
# their mean).
#
#   scripts/recipe-figure.sh RESULTS.tsv OUT.png ["NAME=LABEL" ...]
#
# Only runs whose name starts with one of the NAMEs are drawn (default:
# A-base = "old recipe", B-lr1e-3 = "fast recipe"). LOG_Y=1 draws the FD on
# a log axis.
set -euo pipefail
cd "$(dirname "$0")/.."
results=${1:?usage: scripts/recipe-figure.sh RESULTS.tsv OUT.png [NAME=LABEL ...]}
png=${2:?usage: scripts/recipe-figure.sh RESULTS.tsv OUT.png [NAME=LABEL ...]}
shift 2
(($# > 0)) || set -- "A-base=old recipe" "B-lr1e-3=fast recipe"
figure=${FIGURE:-./build/bin/curves_figure}
table=$(mktemp)
trap 'rm -f "$table"' EXIT
{
  printf 'series\tminutes\tfd\n'
  for pair in "$@"; do
    name=${pair%%=*}
    label=${pair#*=}
    # columns: name, steps, weights, sampler, nfe, fd, flags
    awk -F'\t' -v name="$name" -v label="$label" '
      $3 == "ema" && index($1, name) == 1 {
        ms = 417                                   # --ch 32 --batch 64
        if ($7 ~ /--ch 16/) ms = 167
        else if ($7 ~ /--batch 32|--recipe fast/) ms = 217    # --recipe fast: batch 32
        printf "%s\t%.2f\t%s\n", label, $2 * ms / 60000, $6
      }' "$results"
  done
} >"$table"
extra=()
[[ ${LOG_Y:-0} == 1 ]] && extra+=(--log-y)  # LOG_Y=1: FD on a log axis (the hour spans 50 down to 2)
"$figure" --tsv "$table" --out "$png" --series series --x minutes --y fd "${extra[@]}" \
  --title "Fashion-MNIST, 1000 samples (DPM-Solver++ 2M, 20 NFE)" \
  --x-title "training minutes, two idle cores" --y-title "FD (lower is better)" --hline 1:"two real sets"
