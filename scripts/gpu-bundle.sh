#!/usr/bin/env bash
# Builds the CUDA binaries on a machine without a GPU and packs them, with
# everything they need that a stock CUDA machine lacks, into one folder that
# is copied to a GPU machine and run there (docs/cuda.md):
#   scripts/gpu-bundle.sh          -> gpu-bundle/ (git-ignored), < 64 MiB
# On the GPU machine:  gpu-bundle/run.sh OUTDIR
# The build (build-gpu/) is Release for a generic x86-64 CPU (DIFFUSE_NATIVE=OFF)
# and CUDA architecture 90 (H100/H200). The bundle holds the binaries, the
# shared libraries they load except the C library and CUDA's own (cudart and
# cuBLAS are on the GPU machine), the Fashion-MNIST test images (the training
# set is too large), the PyTorch reference scripts and run.sh.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build-gpu
bundle=$root/gpu-bundle
images=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
max_bytes=$((64 * 1024 * 1024))
targets=(tensor_tests autograd_tests nn_tests cuda_bench diffuse)

[[ -f $images ]] || { echo "gpu-bundle: $images missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
[[ -f /root/.ccache_env ]] && . /root/.ccache_env

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DDIFFUSE_CUDA=ON -DDIFFUSE_NATIVE=OFF \
  -DCMAKE_CUDA_ARCHITECTURES=90 -DDIFFUSE_BUILD_TESTS=ON -DDIFFUSE_BUILD_BENCH=ON >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"

rm -rf "$bundle"
mkdir -p "$bundle"/{bin,lib,data,torch}
for t in "${targets[@]}"; do
  cp "$build/bin/$t" "$bundle/bin/"
  strip --strip-unneeded "$bundle/bin/$t"
done

# Shared libraries: every one ldd lists, less those a CUDA machine has by
# construction (glibc's, the dynamic loader, the CUDA driver and runtime,
# cuBLAS). libstdc++ and libgcc_s are kept: the GPU machine's may be older.
system_or_cuda='^(linux-vdso|ld-linux|libc\.|libm\.|libdl\.|libpthread\.|librt\.|libcuda\.|libcudart\.|libcublas\.|libcublasLt\.)'
for t in "${targets[@]}"; do
  ldd "$build/bin/$t" | awk '/=>/ {print $1, $3}' | while read -r name path; do
    [[ $name =~ $system_or_cuda ]] && continue
    if [[ $path == not ]]; then
      echo "gpu-bundle: $t needs $name, which is not found here" >&2
      exit 1
    fi
    [[ -f $bundle/lib/$name ]] || cp -L "$path" "$bundle/lib/$name"
  done
done

# Libraries over 8 MiB (OpenBLAS, which carries kernels for every x86-64
# CPU: 36 MB) travel gzipped, about a third of the size; run.sh unpacks them.
find "$bundle/lib" -type f -size +8M -exec gzip -9 {} +

cp "$images" "$bundle/data/"
cp "$root/bench/torch_gpu_bench.py" "$root/tests/fixtures/nn_torch_models.py" "$bundle/torch/"
cp "$root/scripts/gpu-bundle-run.sh" "$bundle/run.sh"
chmod +x "$bundle/run.sh"
{
  echo "commit $(git -C "$root" rev-parse HEAD)$(git -C "$root" diff --quiet HEAD -- . || echo ' (plus uncommitted changes)')"
  echo "built $(date -u +%Y-%m-%dT%H:%MZ) on $(. /etc/os-release && echo "$PRETTY_NAME"), nvcc $(
    /usr/local/cuda/bin/nvcc --version | sed -n 's/.*release \([0-9.]*\).*/\1/p'), CUDA arch 90"
  echo "newest glibc symbol needed: $(objdump -T "$bundle"/bin/* 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)"
} >"$bundle/MANIFEST"

bytes=$(du -sb "$bundle" | cut -f1)
(cd "$bundle" && find . -type f -printf '%s\t%p\n' | sort -k2) | awk -F'\t' '{printf "%10d  %s\n", $1, $2}'
echo "gpu-bundle: $bundle, $bytes bytes ($((bytes / 1024 / 1024)) MiB)"
cat "$bundle/MANIFEST"
if ((bytes >= max_bytes)); then
  echo "gpu-bundle: over the 64 MiB limit" >&2
  exit 1
fi
