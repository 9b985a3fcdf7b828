"""The PyTorch twin of one bench/compare_torch workload (bench/workloads.py),
timed in wall-clock ms per call. One workload per process, so the caller can
read this process's peak resident memory.

    /usr/bin/python3 bench/torch_workloads.py unet_train --threads 2 --min-time 2

Prints one JSON line: {"ms": ..., "iterations": ..., "torch": version}.
The models are the references in tests/fixtures/nn_torch_models.py; the
train step is nn_bench's (x_t from the linear alpha_bar, eps loss, AdamW
lr 2e-4, one optimizer kept across steps as there), DDIM the eta = 0 update of
bench/torch_sampler_step.py over 50 even steps of 1000.
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests', 'fixtures'))
sys.path.insert(0, HERE)
from nn_torch_models import MLP2D, UNet  # noqa: E402
from torch_sampler_step import ddim_step  # noqa: E402
from workloads import CONV_BATCH, CONV_SHAPES, GROUPNORM_SHAPE  # noqa: E402

T = 1000


def linear_alpha_bar():
    return torch.cumprod(1 - torch.linspace(1e-4, 0.02, T), 0)


def eps_loss(model, x0, alpha_bar):
    """The eps loss at uniform t (docs/math.md 2.2), as nn_bench's and `diffuse train`'s step draw it."""
    t = torch.randint(0, T, (x0.shape[0],))
    eps = torch.randn_like(x0)
    a = alpha_bar[t].view(-1, *([1] * (x0.dim() - 1)))
    return F.mse_loss(model(a.sqrt() * x0 + (1 - a).sqrt() * eps, t), eps)


def train_step_fn(model, shape):
    ab = linear_alpha_bar()
    opt = torch.optim.AdamW(model.parameters(), lr=2e-4)

    def step():
        loss = eps_loss(model, torch.randn(*shape), ab)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return step


def unet_forward_fn():
    model = UNet().eval()
    x, t = torch.randn(64, 1, 28, 28), torch.full((64,), 500)

    def forward():
        with torch.no_grad():
            model(x, t)
    return forward


def ddim50_fn(images):
    model = UNet().eval()
    steps = list(range(T, 0, -T // 50))  # 1000, 980, ..., 20, then to 0

    def sample():
        with torch.no_grad():
            x = torch.randn(images, 1, 28, 28)
            for i, t in enumerate(steps):
                s = steps[i + 1] if i + 1 < len(steps) else 0
                x = ddim_step(x, model(x, torch.full((images,), t - 1)), t, s)  # label t - 1
    return sample


def conv_fn(index):
    c, o, h, k, stride, padding = CONV_SHAPES[index]
    x = torch.randn(CONV_BATCH, c, h, h, requires_grad=True)
    w = torch.randn(o, c, k, k, requires_grad=True)
    b = torch.randn(o)

    def fwd_bwd():  # forward, then input and weight gradients (y itself as the incoming gradient, as ours)
        y = F.conv2d(x, w, b, stride=stride, padding=padding)
        torch.autograd.grad(y, (x, w), y.detach())
    return fwd_bwd


def groupnorm_silu_fn():
    x = torch.randn(*GROUPNORM_SHAPE, requires_grad=True)
    g = torch.randn(*GROUPNORM_SHAPE)
    w = torch.randn(GROUPNORM_SHAPE[1], requires_grad=True)
    b = torch.randn(GROUPNORM_SHAPE[1], requires_grad=True)

    def fwd_bwd():
        y = F.silu(F.group_norm(x, 8, w, b, 1e-5))
        torch.autograd.grad(y, (x, w, b), g)
    return fwd_bwd


def make(name, sample_images):
    if name == 'mlp2d_train':
        return train_step_fn(MLP2D(), (1024, 2))
    if name == 'unet_train':
        return train_step_fn(UNet(), (64, 1, 28, 28))
    if name == 'unet_forward':
        return unet_forward_fn()
    if name == 'ddim50':
        return ddim50_fn(sample_images)
    if name.startswith('conv'):
        return conv_fn(int(name[4:]))
    if name == 'groupnorm_silu':
        return groupnorm_silu_fn()
    raise SystemExit(f'torch_workloads.py: unknown workload {name!r}')


def main():
    p = argparse.ArgumentParser()
    p.add_argument('workload')
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--min-time', type=float, default=0.5, help='seconds of timed calls; 0: exactly one call, no warm-up')
    p.add_argument('--sample-images', type=int, default=64)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    fn = make(a.workload, a.sample_images)
    if a.min_time > 0:
        fn()  # warm-up: first-call allocations and lazy initialization
    n, t0 = 0, time.perf_counter()
    while True:
        fn()
        n += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= a.min_time:
            break
    print(json.dumps({'ms': elapsed / n * 1e3, 'iterations': n, 'torch': torch.__version__}))


if __name__ == '__main__':
    main()
