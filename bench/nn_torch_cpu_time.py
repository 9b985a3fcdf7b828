"""PyTorch counterpart of bench/nn_bench.cpp measured in process CPU time on
one thread, a comparison that other load on a shared machine barely moves
(wall-clock numbers there depend on who else is running).

    /usr/bin/python3 bench/nn_torch_cpu_time.py
    DIFFUSE_BENCH_THREADS=1 OMP_NUM_THREADS=1 build-nn/bin/nn_bench     # the "CPU" column

The workloads are the reference's (linear alpha_bar, eps loss, AdamW(lr 2e-4),
the optimizer kept across steps as nn_bench does; train_step_fn of
bench/torch_workloads.py); the models come from tests/fixtures/nn_torch_models.py.
"""
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'fixtures'))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nn_torch_models import MLP2D, UNet  # noqa: E402
from torch_workloads import train_step_fn  # noqa: E402


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
    print(f'mlp2d train_step batch=1024 cpu_ms={cpu_ms(train_step_fn(mlp, (1024, 2)), 5, 50):.2f}')
    print(f'unet train_step batch=64 cpu_ms={cpu_ms(train_step_fn(unet, (64, 1, 28, 28)), 2, 10):.1f}')
    unet.eval()
    x, t = torch.randn(64, 1, 28, 28), torch.full((64,), 500)
    with torch.no_grad():
        print(f'unet forward(no_grad) batch=64 cpu_ms={cpu_ms(lambda: unet(x, t), 2, 10):.1f}')


if __name__ == '__main__':
    main()
