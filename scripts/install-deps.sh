#!/usr/bin/env bash
# Installs the Debian packages the project builds and tests with.
# Usage: scripts/install-deps.sh [--with-torch] [--with-fuzz]
#   --with-torch also installs python3-torch and python3-numpy, needed only to
#   regenerate test fixtures and to run the PyTorch side of the benchmarks.
#   --with-fuzz also installs clang with libFuzzer and libomp, for scripts/fuzz.sh.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libopenblas-openmp-dev   # BLAS with OpenMP threads: shares one pool with our loops
  libfmt-dev               # formatting of tensors and errors
  libgtest-dev googletest  # unit tests
  libbenchmark-dev         # bench/
  nlohmann-json3-dev       # safetensors headers
  libcli11-dev             # the diffuse command line
  libpng-dev zlib1g-dev    # images and .gz data files
  dataset-fashion-mnist    # IDX files in /usr/share/datasets/fashion-mnist
  libopenmpi-dev openmpi-bin  # data-parallel training under mpirun (docs/distributed.md)
)
for option in "$@"; do
  case "$option" in
    --with-torch) packages+=(python3-torch python3-numpy) ;;
    --with-fuzz) packages+=(clang libclang-rt-dev libomp-dev) ;;
    *) echo "install-deps: unknown option $option" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
[[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
