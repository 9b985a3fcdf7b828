#!/usr/bin/env bash
# Data-parallel `diffuse train` under mpirun, as ctest diffuse_mpi_*:
#   exact      2 and 4 processes give the files of one process with the same
#              --shards, byte for byte (Note [Exact data parallelism]); a run
#              begun on 4 processes and resumed on 1 too; sampling split over
#              3 processes writes the same .npy as one
#   allreduce  --grad-reduce allreduce on 4 processes, in 1 KB buckets sent
#              during backward: every parameter within 1e-4 (relative, plus
#              1e-6 absolute) of the exact run after 40 steps; on 2 processes
#              the buckets give the files of one allreduce after backward
#              (--grad-bucket-kb 0), byte for byte
#   failure    rank 1 throws at step 5: the job stops, exit status 2, and the
#              message names the rank and the cause
#   refusal    4 processes and --shards 6: refused, naming both numbers
#   mpi_train_test.sh DIFFUSE PART         (docs/distributed.md)
set -euo pipefail
diffuse=$1
part=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMP_NUM_THREADS=1
# Oversubscribed (more ranks than cores) and unbound, as root too.
mpi=("${MPIRUN:-mpirun}" --oversubscribe --bind-to none -x OMP_NUM_THREADS)
[[ $(id -u) -eq 0 ]] && mpi+=(--allow-run-as-root)
run=(train --data moons --steps 40 --ckpt-every 20 --batch 48 --width 32 --samples 10 --shards 12)

fail() {
  echo "FAIL: $*"
  exit 1
}
same_files() {  # the two run folders hold the same files, byte for byte (config.json: unless $3 = resumed)
  local files=(model.safetensors loss.csv samples.png)
  [[ ${3:-} == resumed ]] || files+=(config.json)  # a resumed run's config.json says the --steps it began with
  for f in "${files[@]}"; do
    cmp "$1/$f" "$2/$f" || fail "$f of $1 and $2 differ"
  done
}

"$diffuse" "${run[@]}" --out "$work/one" >"$work/one.log"
case $part in
  exact)
    for n in 2 4; do
      "${mpi[@]}" -np $n "$diffuse" "${run[@]}" --out "$work/np$n" >"$work/np$n.log" 2>&1 || {
        cat "$work/np$n.log"
        fail "mpirun -np $n failed"
      }
      grep -q "MPI, $n processes" "$work/np$n.log" || fail "the log of -np $n does not name $n processes"
      same_files "$work/one" "$work/np$n"
      echo "-np $n: the files of one process, byte for byte"
    done
    # Begun on 4 processes, resumed on one (plain, no mpirun).
    "${mpi[@]}" -np 4 "$diffuse" "${run[@]}" --steps 20 --out "$work/mixed" >/dev/null 2>&1 || fail "-np 4 to step 20"
    "$diffuse" "${run[@]}" --resume --out "$work/mixed" >/dev/null || fail "the resume on one process"
    same_files "$work/one" "$work/mixed" resumed
    echo "-np 4 to step 20, one process to 40: the same files"
    sample=(sample --ckpt "$work/one" --sampler ddpm --steps 20 --n 200 --batch 32)
    "$diffuse" "${sample[@]}" --out "$work/one.npy" >/dev/null
    "${mpi[@]}" -np 3 "$diffuse" "${sample[@]}" --out "$work/np3.npy" >/dev/null 2>&1 || fail "sample -np 3"
    cmp "$work/one.npy" "$work/np3.npy" || fail "sample -np 3 wrote other samples"
    echo "sample -np 3: the same .npy"
    # Class-conditional: each row's class (and its label dropout) is sliced with its noise.
    "$diffuse" "${run[@]}" --conditional --out "$work/cond1" >/dev/null || fail "--conditional on one process"
    "${mpi[@]}" -np 2 "$diffuse" "${run[@]}" --conditional --out "$work/cond2" >/dev/null 2>&1 ||
      fail "--conditional on 2 processes"
    same_files "$work/cond1" "$work/cond2"
    echo "--conditional -np 2: the files of one process, byte for byte"
    ;;
  allreduce)
    for kb in 0 1; do
      "${mpi[@]}" -np 2 "$diffuse" "${run[@]}" --grad-reduce allreduce --grad-bucket-kb $kb --out "$work/np2-$kb" \
        >/dev/null 2>&1 || fail "mpirun -np 2 --grad-reduce allreduce --grad-bucket-kb $kb failed"
    done
    same_files "$work/np2-0" "$work/np2-1"
    echo "-np 2: buckets during backward give the bits of one allreduce after it"
    "${mpi[@]}" -np 4 "$diffuse" "${run[@]}" --grad-reduce allreduce --grad-bucket-kb 1 --out "$work/np4" \
      >/dev/null 2>&1 || fail "mpirun -np 4 --grad-reduce allreduce failed"
    python3 - "$work/one/model.safetensors" "$work/np4/model.safetensors" <<'PY' || fail "allreduce left the tolerance"
import array, json, struct, sys
def tensors(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    return {k: array.array("f", raw[8 + n + v["data_offsets"][0]:8 + n + v["data_offsets"][1]]) for k, v in header.items()}
a, b = tensors(sys.argv[1]), tensors(sys.argv[2])
worst = max(abs(x - y) / (1e-4 * abs(x) + 1e-6) for k in a for x, y in zip(a[k], b[k]))
print(f"allreduce against exact: worst |a - b| / (1e-4 |a| + 1e-6) = {worst:.3g} (must be <= 1)")
sys.exit(0 if worst <= 1 else 1)
PY
    ;;
  failure)
    status=0
    DIFFUSE_TEST_FAIL_AT=1:5 timeout 120 "${mpi[@]}" -x DIFFUSE_TEST_FAIL_AT -np 4 "$diffuse" "${run[@]}" \
      --out "$work/failed" >"$work/failed.log" 2>&1 || status=$?
    cat "$work/failed.log"
    [[ $status -eq 2 ]] || fail "exit status $status, expected 2 (124: the job did not stop)"
    grep -q "error: rank 1 of 4: failure injected at step 5" "$work/failed.log" || fail "no message naming rank 1"
    [[ ! -f $work/failed/model.safetensors ]] || fail "a checkpoint was written after the failure"
    ;;
  refusal)
    status=0
    "${mpi[@]}" -np 4 "$diffuse" "${run[@]}" --shards 6 --out "$work/refused" >"$work/refused.log" 2>&1 || status=$?
    [[ $status -ne 0 ]] || fail "--shards 6 on 4 processes was not refused"
    grep -q "shards 6 does not split over 4 processes" "$work/refused.log" || {
      cat "$work/refused.log"
      fail "the refusal does not say why"
    }
    ;;
  *) fail "unknown part $part" ;;
esac
echo "PASS: $part"
