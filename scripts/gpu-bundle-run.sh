#!/usr/bin/env bash
# run.sh of the GPU bundle (made by scripts/gpu-bundle.sh; docs/cuda.md):
#   ./run.sh OUTDIR
# On a machine with an NVIDIA GPU, CUDA 13's runtime and cuBLAS, and
# python3 with PyTorch: prints nvidia-smi, then runs, each under its own
# timeout and each whatever the others did,
#   1. the CUDA tests (gtest XML and logs into OUTDIR),
#   2. cuda_bench (OUTDIR/cuda_bench.json),
#   3. the PyTorch reference (OUTDIR/bench.json),
#   4. `diffuse train` of the U-Net on the bundled Fashion-MNIST test images,
#   5. `diffuse sample`, 1000 DDIM-50 samples from that run.
# The whole run stays under 8 minutes: each step's timeout is cut to what is
# left of the total. OUTDIR/summary.txt has one line per step: exit status
# (124: timed out) and seconds.
set -u

here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: run.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
total_budget=470  # seconds, for all steps together
started=$(date +%s)
train_steps=${TRAIN_STEPS:-300}

# cudart and cuBLAS come from the machine: the loader cache, a CUDA toolkit,
# or PyTorch's nvidia-* wheels, in that order of preference.
find_cuda_libs() {
  local dirs=() d
  ldconfig -p 2>/dev/null | grep -q 'libcublas\.so\.13' && return 0
  for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/local/cuda-13*/lib64; do
    [[ -e $d/libcublas.so.13 ]] && dirs+=("$d")
  done
  if ((${#dirs[@]} == 0)); then
    while IFS= read -r d; do dirs+=("$d"); done < <(
      python3 - 2>/dev/null <<'PY'
import glob, os, site
roots = site.getsitepackages() + [site.getusersitepackages()]
seen = set()
for r in roots:
    for lib in glob.glob(os.path.join(r, 'nvidia', '**', 'libcu*.so.13*'), recursive=True):
        d = os.path.dirname(lib)
        if d not in seen:
            seen.add(d)
            print(d)
PY
    )
  fi
  local IFS=:
  echo "${dirs[*]}"
}
cuda_dirs=$(find_cuda_libs)

# The libraries gpu-bundle.sh gzipped, unpacked into a temporary folder.
unpacked=$(mktemp -d)
trap 'rm -rf "$unpacked"' EXIT
for gz in "$here"/lib/*.gz; do
  [[ -e $gz ]] && gzip -dc "$gz" >"$unpacked/$(basename "$gz" .gz)"
done
our_path="$here/lib:$unpacked${cuda_dirs:+:$cuda_dirs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

# Our binaries get the bundle's libraries; python3 (PyTorch) keeps its own.
ours=(env "LD_LIBRARY_PATH=$our_path")

# step NAME SECONDS COMMAND...: runs COMMAND with output in OUTDIR/NAME.log.
step() {
  local name=$1 limit=$2
  shift 2
  local left=$((total_budget - ($(date +%s) - started)))
  ((limit > left)) && limit=$left
  if ((limit < 5)); then
    echo "$name skipped: the 8-minute budget is spent" | tee -a "$out/summary.txt"
    return
  fi
  echo "=== $name (timeout ${limit}s)"
  local t0=$(date +%s)
  timeout -k 5 "$limit" "$@" >"$out/$name.log" 2>&1
  local rc=$?
  echo "$name: exit $rc, $(($(date +%s) - t0)) s" | tee -a "$out/summary.txt"
  tail -n 15 "$out/$name.log"
}

: >"$out/summary.txt"
cat "$here/MANIFEST" 2>/dev/null | tee "$out/manifest.txt"
echo "cuda libraries from: ${cuda_dirs:-the loader cache}" | tee -a "$out/manifest.txt"
timeout 20 nvidia-smi 2>&1 | tee "$out/nvidia-smi.txt"

for t in tensor_tests autograd_tests nn_tests; do
  step "$t" 90 "${ours[@]}" "$here/bin/$t" --gtest_filter='*Cuda*' --gtest_output="xml:$out/$t.xml"
done
step cuda_bench 120 "${ours[@]}" "$here/bin/cuda_bench" --benchmark_out="$out/cuda_bench.json" --benchmark_out_format=json
step torch_reference 150 python3 "$here/torch/torch_gpu_bench.py" "$out"
step train 60 "${ours[@]}" "$here/bin/diffuse" train --device cuda --data "idx:$here/data/t10k-images-idx3-ubyte.gz" \
  --model unet --batch 64 --steps "$train_steps" --ckpt-every 0 --out "$out/unet_run"
step sample 45 "${ours[@]}" "$here/bin/diffuse" sample --device cuda --ckpt "$out/unet_run" --sampler ddim --steps 50 \
  --n 1000 --out "$out/ddim50.png"

echo "=== summary (total $(($(date +%s) - started)) s)"
cat "$out/summary.txt"
