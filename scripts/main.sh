#!/usr/bin/env bash
# Sets up, builds everything and runs the main job (the README's first command):
# a denoiser for the 2-D "moons" set, trained from scratch, then sampled.
# Writes runs/main-moons/: model.safetensors, loss.csv, loss.svg, samples.png.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DDIFFUSE_NATIVE=ON >/dev/null  # built and run here
cmake --build build -j"$(nproc)"

out=runs/main-moons
rm -rf "$out"  # this script's own output: each run starts afresh
time ./build/bin/diffuse train --data moons --model mlp --steps 12000 --lr 1e-3 --out "$out"
./build/bin/diffuse sample --ckpt "$out" --sampler ddim --steps 50 --n 2000 --seed 1 --out "$out/ddim50.png"
echo "main job done: see $out/samples.png (data in blue, samples in orange) and $out/loss.svg"
