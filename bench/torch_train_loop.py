"""The PyTorch twin of `diffuse train`'s loop, for bench/compare_train.

    /usr/bin/python3 bench/torch_train_loop.py --model mlp --data moons --batch 1024 --steps 500 --out DIR

Per step, as apps/commands/train.cpp does it: a batch from a shuffled epoch
of the data set (50,000 points for a 2-D set, Fashion-MNIST's 60,000 images
scaled to [-1, 1]), t uniform on 0..999, x_t from the linear alpha_bar, the
eps loss (docs/math.md 2.2), backward, AdamW (PyTorch's defaults, lr 2e-4,
as `diffuse train`'s), the EMA update (decay min(0.999, (1+n)/(10+n))) and a
row of loss.csv, flushed. The models are the references of
tests/fixtures/nn_torch_models.py, which `diffuse train`'s defaults match
layer for layer (MLP2D width 256; the U-Net of ch 32, mult 1,2,2, attention in
the middle). The end writes a checkpoint; start-up and the end's work are
what compare_train cancels by running two step counts.
"""
import argparse
import gzip
import math
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests', 'fixtures'))
sys.path.insert(0, HERE)
from nn_torch_models import MLP2D, UNet  # noqa: E402
from torch_workloads import eps_loss, linear_alpha_bar  # noqa: E402

FASHION_MNIST = '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz'


def moons(n, rng):
    """apps/data/toy2d.cpp's moons: two half circles, noise 0.05, centred and scaled by 2."""
    u, which, nx, ny = rng.random(n), rng.random(n), rng.standard_normal(n), rng.standard_normal(n)
    angle = math.pi * u
    upper = which < 0.5
    x = np.where(upper, np.cos(angle), 1 - np.cos(angle))
    y = np.where(upper, np.sin(angle), 0.5 - np.sin(angle))
    return torch.from_numpy(np.stack([2 * (x - 0.5 + 0.05 * nx), 2 * (y - 0.25 + 0.05 * ny)], 1).astype(np.float32))


def fashion_mnist(path):
    with gzip.open(path, 'rb') as f:
        raw = f.read()
    n, h, w = (int.from_bytes(raw[4 * i:4 * i + 4], 'big') for i in (1, 2, 3))
    pixels = np.frombuffer(raw, np.uint8, offset=16).reshape(n, 1, h, w)
    return torch.from_numpy(pixels.astype(np.float32) / 127.5 - 1)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--model', choices=['mlp', 'unet'], required=True)
    p.add_argument('--data', choices=['moons', 'fashion-mnist'], required=True)
    p.add_argument('--batch', type=int, required=True)
    p.add_argument('--steps', type=int, required=True)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--out', required=True)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    data = moons(50000, np.random.default_rng(0)) if a.data == 'moons' else fashion_mnist(FASHION_MNIST)
    model = MLP2D() if a.model == 'mlp' else UNet()
    opt = torch.optim.AdamW(model.parameters(), lr=2e-4)
    ema = [p.detach().clone() for p in model.parameters()]
    alpha_bar = linear_alpha_bar()
    os.makedirs(a.out, exist_ok=True)
    log = open(os.path.join(a.out, 'loss.csv'), 'w')
    order, index = torch.randperm(len(data)), 0
    model.train()
    for step in range(1, a.steps + 1):
        if index + a.batch > len(data):
            order, index = torch.randperm(len(data)), 0
        x0 = data[order[index:index + a.batch]]
        index += a.batch
        loss = eps_loss(model, x0, alpha_bar)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        with torch.no_grad():
            decay = min(0.999, step / (9 + step))  # (1 + n) / (10 + n) at update n = step - 1
            for e, w in zip(ema, model.parameters()):
                e.lerp_(w, 1 - decay)
        log.write(f'{step},{loss.item()}\n')
        log.flush()
    torch.save({'live': model.state_dict(), 'ema': ema, 'opt': opt.state_dict()}, os.path.join(a.out, 'model.pt'))
    print(torch.__version__)


if __name__ == '__main__':
    main()
