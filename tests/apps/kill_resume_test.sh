#!/usr/bin/env bash
# Crash safety of `diffuse train`, as ctest diffuse_train_survives_kill_9:
# SIGKILLs a short run at seeded pseudo-random times and at the pause points
# of Note [Crash test pauses] (a checkpoint's temporary written but not yet
# renamed, half a loss.csv row, loss.svg and samples.png before their rename),
# resumes it until it finishes, then checks that its folder holds the same
# files as an uninterrupted run's, byte for byte, and no temporary.
#   kill_resume_test.sh DIFFUSE [SEED]     (docs/reliability.md)
set -euo pipefail
diffuse=$1
seed=${2:-2026}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run=(train --data moons --steps 300 --ckpt-every 20 --width 16 --batch 32 --samples 10)
export OMP_NUM_THREADS=1
killed=$work/killed
log=$work/killed.log

fail() {
  echo "FAIL: $*"
  echo "--- output of the killed runs (last 20 lines):"
  tail -n 20 "$log"
  exit 1
}
now_ms() { date +%s%3N; }

begin=$(now_ms)
"$diffuse" "${run[@]}" --out "$work/whole" >"$work/whole.log"
run_ms=$(($(now_ms) - begin))
echo "uninterrupted run: ${run_ms} ms"

# Starts the run in the background (resuming when it has a checkpoint; a
# run killed before its first one starts over), with `env` assignments $@.
start_run() {
  local resume=()
  [[ -f $killed/model.safetensors ]] && resume=(--resume)
  env "$@" "$diffuse" "${run[@]}" --out "$killed" "${resume[@]}" >>"$log" 2>&1 &
  pid=$!
}

checkpoint_step() {
  head -c 4096 "$killed/model.safetensors" 2>/dev/null | grep -ao '"step":"[0-9]*"' | tr -dc 0-9 || true
}

# Where the last kill left the run: checkpoint step, loss.csv rows, a torn
# row, temporaries.
state() {
  local step rows torn="" tmps
  step=$(checkpoint_step)
  rows=0
  [[ -f $killed/loss.csv ]] && rows=$(($(wc -l <"$killed/loss.csv") - 1))
  [[ -s $killed/loss.csv && $(tail -c 1 "$killed/loss.csv" | od -An -c | tr -d ' ') != '\n' ]] && torn=" + a torn row"
  tmps=$(ls "$killed" 2>/dev/null | grep -e '\.tmp-' | sed 's/\.tmp-.*//' | tr '\n' ' ' || true)
  echo "checkpoint step ${step:-none}, loss.csv ${rows} rows${torn}, temporaries: ${tmps:-none}"
}

# A SIGKILL after a seeded pseudo-random delay in [0, run_ms / 4): a few
# checkpoints' progress at most, so a run takes many kills to finish.
lcg=$seed
kill_at_random_time() {
  lcg=$(((lcg * 1103515245 + 12345) % 2147483648))
  local delay_ms=$(((lcg / 65536) % (run_ms / 4 + 1)))
  start_run
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  kill -9 "$pid" 2>/dev/null || true
  local status=0
  wait "$pid" || status=$?
  kills=$((kills + 1))
  if ((status == 137)); then
    echo "kill $kills: after ${delay_ms} ms: $(state)"
  else
    echo "kill $kills: after ${delay_ms} ms: the run had ended (status $status): $(state)"
  fi
}

# DIFFUSE_TEST_PAUSE_AT=$1: the run stops itself there (SIGSTOP), then SIGKILL.
kill_at_pause() {
  start_run DIFFUSE_TEST_PAUSE_AT="$1"
  local waited=0 status=""
  while [[ -z $status ]]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      status=0
      wait "$pid" || status=$?
      fail "the run ended (status $status) before it reached pause point $1"
    fi
    [[ $(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null) == T ]] && status=stopped
    sleep 0.01
    waited=$((waited + 1))
    ((waited < 6000)) || fail "no pause at $1 within 60 s"
  done
  kill -9 "$pid"
  wait "$pid" || true
  kills=$((kills + 1))
  echo "kill $kills: paused at $1: $(state)"
}

# Until the checkpoint is final: a kill at a random time, then one at a
# pause point in turn. Then a run is stopped before samples.png is renamed
# (the checkpoint is final by then) and the resume that finishes it is
# stopped before loss.svg's rename.
kills=0
points=(model.safetensors loss.csv loss.svg)
for round in $(seq 0 39); do
  kill_at_random_time
  [[ $(checkpoint_step) == 300 ]] && break
  kill_at_pause "${points[round % 3]}"
done
kill_at_pause samples.png
kill_at_pause loss.svg

for attempt in 1 2 3; do
  start_run
  wait "$pid" && break
  ((attempt < 3)) || fail "the resumed run does not finish"
done

temporaries=$(cd "$killed" && ls | grep -e '\.tmp-' || true)
[[ -z $temporaries ]] || fail "temporaries left: $temporaries"
[[ $(ls "$work/whole") == $(ls "$killed") ]] ||
  fail "files differ: uninterrupted [$(ls "$work/whole" | tr '\n' ' ')], killed [$(ls "$killed" | tr '\n' ' ')]"
for file in $(ls "$work/whole"); do
  cmp "$work/whole/$file" "$killed/$file" || fail "$file differs from the uninterrupted run's"
done
echo "after $kills kills and resumes, $(ls "$killed" | wc -l) files equal the uninterrupted run's byte for byte:" \
  "$(ls "$killed" | tr '\n' ' ')(total $(($(now_ms) - begin)) ms)"
