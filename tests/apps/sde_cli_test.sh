#!/usr/bin/env bash
# `diffuse train --sde` end to end, as ctest diffuse_sde_train_and_sample:
# a tiny MLP on moons trained for a few steps on the VE and the sub-VP SDE,
# then sampled with pc and ode-heun, scored with nll --method ode, and the
# discrete sampler refused (docs/cli.md, "Continuous-time models").
#   sde_cli_test.sh DIFFUSE
set -euo pipefail
diffuse=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMP_NUM_THREADS=1

fail() {
  echo "FAIL: $*"
  exit 1
}

for sde in ve subvp; do
  run=$work/$sde
  "$diffuse" train --data moons --sde "$sde" --steps 30 --batch 32 --width 16 --samples 20 --out "$run" \
    --log-every 0 >"$work/train.log" || fail "train --sde $sde: $(cat "$work/train.log")"
  grep -q "\"sde\": \"$sde\"" "$run/config.json" || fail "$run/config.json does not record --sde $sde"
  head -c 4096 "$run/model.safetensors" | grep -aq "\"sde\":\"$sde\"" || fail "the checkpoint does not record $sde"
  [[ -s $run/samples.png ]] || fail "no samples.png for --sde $sde"
  for sampler in pc ode-heun; do
    "$diffuse" sample --ckpt "$run" --sampler "$sampler" --steps 10 --n 20 --out "$work/$sde-$sampler.npy" \
      >"$work/sample.log" 2>&1 || fail "sample --sampler $sampler on --sde $sde: $(cat "$work/sample.log")"
    # 20 float32 points x 2 after a 128-byte npy header
    [[ $(stat -c %s "$work/$sde-$sampler.npy") -eq $((128 + 20 * 2 * 4)) ]] || fail "$sde-$sampler.npy has the wrong size"
  done
  "$diffuse" nll --ckpt "$run" --data moons --n 20 >"$work/nll.log" 2>&1 || fail "nll on --sde $sde: $(cat "$work/nll.log")"
  grep -q "nats/point over 20 points (ode" "$work/nll.log" || fail "nll output: $(cat "$work/nll.log")"
  # A discrete sampler on a continuous-time model: one line, exit 2.
  set +e
  "$diffuse" sample --ckpt "$run" --sampler ddim --n 5 --out "$work/x.npy" >/dev/null 2>"$work/err"
  status=$?
  set -e
  [[ $status -eq 2 && $(wc -l <"$work/err") -eq 1 ]] || fail "ddim on --sde $sde: exit $status, $(cat "$work/err")"
  grep -q "needs a discrete DDPM model; this one was trained with --sde $sde" "$work/err" || fail "$(cat "$work/err")"
done
# Data parallelism covers the discrete loss only: --sde with --shards is refused.
set +e
"$diffuse" train --data moons --sde ve --steps 2 --batch 32 --shards 2 --out "$work/shards" >/dev/null 2>"$work/err"
status=$?
set -e
[[ $status -eq 2 ]] && grep -q "trains in one process with --shards 1" "$work/err" || fail "--sde with --shards 2: exit $status, $(cat "$work/err")"
echo "ok: --sde ve and subvp trained, sampled with pc and ode-heun, scored with the ODE"
