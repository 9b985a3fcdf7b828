#!/usr/bin/env bash
# examples/curves_figure end to end, as ctest curves_figure_reads_a_table: a
# table with extra columns and repeated x drawn to a PNG, and each kind of bad
# input refused with exit status 1 and one line naming the file and line.
#   curves_figure_test.sh CURVES_FIGURE
set -euo pipefail
figure=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
  echo "FAIL: $*"
  exit 1
}

printf 'sampler\tnfe\tseed\tfd\nddim\t10\t1\t39.4\nddim\t10\t1001\t41.0\nddim\t20\t1\t20.1\nedm-heun\t10\t1\t80\n' \
  >"$work/good.tsv"
"$figure" --tsv "$work/good.tsv" --series sampler --x nfe --y fd --log-x --log-y --hline "1.0:floor" \
  --out "$work/good.png" >"$work/log" 2>&1 || fail "a good table: $(cat "$work/log")"
grep -q "wrote $work/good.png (4 points)" "$work/log" || fail "unexpected output: $(cat "$work/log")"
[[ $(head -c 4 "$work/good.png" | tail -c 3) == PNG ]] || fail "good.png is not a PNG"

# Runs the figure on a table that must be refused: exit status 1 and the message on stderr.
expect_refusal() {
  local table=$1 message=$2
  shift 2
  printf '%b' "$table" >"$work/bad.tsv"  # %b: the \t and \n in the table
  local status=0
  "$figure" --tsv "$work/bad.tsv" --series sampler --x nfe --y fd --out "$work/bad.png" "$@" 2>"$work/err" ||
    status=$?
  [[ $status -eq 1 ]] || fail "exit status $status, not 1, for: $table"
  grep -qF "curves_figure: $message" "$work/err" || fail "expected '$message', got: $(cat "$work/err")"
  [[ $(wc -l <"$work/err") -eq 1 ]] || fail "more than one line: $(cat "$work/err")"
  [[ ! -e $work/bad.png ]] || fail "bad.png written for a bad table"
}
header='sampler\tnfe\tfd\n'
expect_refusal "${header}ddim\t10\t39\nddim\t20\n" "$work/bad.tsv:3: 2 tab-separated fields, the header has 3"
expect_refusal "${header}ddim\t10\tabc\n" "$work/bad.tsv:2: column 'fd' is 'abc', not a finite number"
expect_refusal 'sampler\tnfe\tFD\nddim\t10\t1\n' "$work/bad.tsv:1: the header has no column 'fd'"
expect_refusal "$header" "$work/bad.tsv: no rows after the header"
expect_refusal "${header}ddim\t0\t1\n" "[line_chart] the log x axis cannot show x = 0" --log-x
expect_refusal "${header}ddim\t1\t1\n" "--hline 'one:floor': 'one' is not a number" --hline one:floor
status=0
"$figure" --tsv "$work/missing.tsv" --out "$work/m.png" 2>"$work/err" || status=$?
if [[ $status -ne 1 ]] || ! grep -qF "$work/missing.tsv: cannot read it" "$work/err"; then
  fail "missing file: status $status, $(cat "$work/err")"
fi
echo "curves_figure: all checks passed"
