"""One reverse sampler step in PyTorch, the same workloads as
bench/diffusion_bench.cpp: model forward under no_grad, then the DDIM
(docs/math.md (3.2), eta = 0) or ancestral DDPM (2.5) update for the jump
510 -> 490 of the linear schedule. MLP2D at batch 1024, UNet at batch 64.
The models are the PyTorch references in tests/fixtures/nn_torch_models.py.

Run:  /usr/bin/python3 bench/torch_sampler_step.py [--threads 2]
"""
import argparse
import math
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'fixtures'))
from nn_torch_models import MLP2D, UNet  # noqa: E402

T, STEP, PREV = 1000, 510, 490  # MATH timesteps; the network label is t - 1


def alpha_bar():
    """alpha_bar[t] for t = 0..T, alpha_bar[0] = 1 (docs/math.md (1.3)), float64."""
    betas = torch.linspace(1e-4, 0.02, T, dtype=torch.float64)
    return torch.cat([torch.ones(1, dtype=torch.float64), torch.cumprod(1 - betas, 0)])


AB = alpha_bar()


def ddim_step(x, eps, t, s):
    a_t, b_t = math.sqrt(AB[t]), math.sqrt(1 - AB[t])
    x0_hat = (x - b_t * eps) / a_t
    return math.sqrt(AB[s]) * x0_hat + math.sqrt(1 - AB[s]) * eps  # (3.2), sigma = 0


def ancestral_step(x, eps, t, s, z):
    ab_t, ab_s = float(AB[t]), float(AB[s])
    beta_ts = 1 - ab_t / ab_s  # (1.9)
    x0_hat = (x - math.sqrt(1 - ab_t) * eps) / math.sqrt(ab_t)
    mu = (math.sqrt(ab_s) * beta_ts / (1 - ab_t)) * x0_hat + (math.sqrt(1 - beta_ts) * (1 - ab_s) / (1 - ab_t)) * x
    return mu + math.sqrt(beta_ts) * z  # (2.5), sigma^2 = beta


def timed(fn, warmup, reps):
    """(wall ms, process CPU ms) per call; CPU time is the fairer number on a busy machine."""
    for _ in range(warmup):
        fn()
    w0, c0 = time.perf_counter(), time.process_time()
    for _ in range(reps):
        fn()
    return (time.perf_counter() - w0) / reps * 1e3, (time.process_time() - c0) / reps * 1e3


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--threads', type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    for name, model, shape, reps in [('MLP2D', MLP2D(), (1024, 2), 100), ('UNet', UNet(), (64, 1, 28, 28), 10)]:
        model.eval()
        x = torch.randn(*shape)
        label = torch.full((shape[0],), STEP - 1)

        def ddim():
            with torch.no_grad():
                return ddim_step(x, model(x, label), STEP, PREV)

        def ancestral():
            with torch.no_grad():
                return ancestral_step(x, model(x, label), STEP, PREV, torch.randn_like(x))

        for step_name, fn in [('DdimStep', ddim), ('AncestralStep', ancestral)]:
            wall, cpu = timed(fn, 3, reps)
            print(f'torch {step_name}_{name} batch={shape[0]} wall_ms={wall:.3f} cpu_ms={cpu:.3f}')


if __name__ == '__main__':
    main()
