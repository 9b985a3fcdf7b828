"""PyTorch counterpart of bench/nn_bench.cpp measured in process CPU time on
one thread, a comparison that other load on a shared machine barely moves
(wall-clock numbers there depend on who else is running).

    /usr/bin/python3 bench/nn_torch_cpu_time.py
    DIFFUSE_BENCH_THREADS=1 OMP_NUM_THREADS=1 build-nn/bin/nn_bench     # the "CPU" column

The workloads are the reference's (torch_models.py train_steps: linear
alpha_bar, eps loss, a fresh AdamW(lr 2e-4) per call, as there); the models
come from tests/fixtures/nn_torch_models.py, the same architectures.
"""
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'fixtures'))
from nn_torch_models import MLP2D, UNet  # noqa: E402


def train_step(model, make_x, batch, T=1000):
    ab = torch.cumprod(1 - torch.linspace(1e-4, 0.02, T), 0)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-4)
    x0 = make_x(batch)
    t = torch.randint(0, T, (batch,))
    eps = torch.randn_like(x0)
    a = ab[t].view(-1, *([1] * (x0.dim() - 1)))
    loss = F.mse_loss(model(a.sqrt() * x0 + (1 - a).sqrt() * eps, t), eps)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


def cpu_ms(fn, warmup, reps):
    for _ in range(warmup):
        fn()
    t0 = time.process_time()
    for _ in range(reps):
        fn()
    return (time.process_time() - t0) / reps * 1e3


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    mlp, unet = MLP2D(), UNet()
    print(f'mlp2d train_step batch=1024 cpu_ms={cpu_ms(lambda: train_step(mlp, lambda b: torch.randn(b, 2), 1024), 5, 50):.2f}')
    print(f'unet train_step batch=64 cpu_ms={cpu_ms(lambda: train_step(unet, lambda b: torch.randn(b, 1, 28, 28), 64), 2, 10):.1f}')
    unet.eval()
    x, t = torch.randn(64, 1, 28, 28), torch.full((64,), 500)
    with torch.no_grad():
        print(f'unet forward(no_grad) batch=64 cpu_ms={cpu_ms(lambda: unet(x, t), 2, 10):.1f}')


if __name__ == '__main__':
    main()
