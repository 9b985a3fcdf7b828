"""The reference models' training step in PyTorch on a GPU: the side-by-side
anchor for the CUDA backend (bench/cuda_bench.cpp). The models are the
reference architectures of tests/fixtures/nn_torch_models.py, imported from
this folder or from there; scripts/gpu-bundle.sh copies both files into the
GPU bundle, whose run.sh runs this (docs/cuda.md).

  python3 torch_gpu_bench.py OUT_DIR     prints and writes OUT_DIR/bench.json

Times (ms): U-Net train step at batch 64/256/1024 eager, U-Net forward
batch 64, MLP2D train step batch 1024, both steps captured as one CUDA
graph (AdamW capturable), the U-Net step under torch.compile; and (s) 1000
DDIM samples in 50 steps with the (untrained) U-Net, the work of
`diffuse sample --sampler ddim --steps 50 --n 1000`.
"""
import sys, os, time, copy, json, math
import numpy as np, torch, torch.nn.functional as F
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, '..', 'tests', 'fixtures')]
import nn_torch_models as tm


def temb(t, dim):  # device-aware copy of the reference embedding
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32, device=t.device) / (half - 1))
    args = t.float()[:, None] * freqs[None, :]
    return torch.cat([torch.sin(args), torch.cos(args)], dim=1)


def linear_alpha_bar(T):
    betas = torch.linspace(1e-4, 0.02, T)
    return torch.cumprod(1 - betas, 0)


tm.timestep_embedding = temb
dev = 'cuda' if torch.cuda.is_available() else 'cpu'
T = 1000
ab = linear_alpha_bar(T).to(dev)


def sync():
    if dev == 'cuda':
        torch.cuda.synchronize()


def timeit(fn, warm, reps):
    for _ in range(warm):
        fn()
    sync(); t0 = time.perf_counter()
    for _ in range(reps):
        fn()
    sync(); return (time.perf_counter() - t0) / reps * 1e3


def unet_step_fn(batch, model=None, capturable=False):
    m = model if model is not None else tm.UNet().to(dev)
    opt = torch.optim.AdamW(m.parameters(), lr=2e-4, capturable=capturable)
    x = torch.randn(batch, 1, 28, 28, device=dev)
    def step():
        t = torch.randint(0, T, (batch,), device=dev)
        eps = torch.randn_like(x)
        a = ab[t].view(-1, 1, 1, 1)
        loss = F.mse_loss(m(a.sqrt() * x + (1 - a).sqrt() * eps, t), eps)
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
    return step, m


def mlp_step_fn(batch, capturable=False):
    m = tm.MLP2D().to(dev)
    opt = torch.optim.AdamW(m.parameters(), lr=1e-3, capturable=capturable)
    x = torch.randn(batch, 2, device=dev)
    def step():
        t = torch.randint(0, T, (batch,), device=dev)
        eps = torch.randn_like(x)
        a = ab[t].view(-1, 1)
        loss = F.mse_loss(m(a.sqrt() * x + (1 - a).sqrt() * eps, t), eps)
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
    return step


def graphed(step):
    """Capture one whole training step as a CUDA graph (static shapes)."""
    s = torch.cuda.Stream(); s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for _ in range(3):
            step()
    torch.cuda.current_stream().wait_stream(s)
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        step()
    return g.replay


def ddim_sample(m, n, steps, batch=None):
    """DDIM (eta 0) over an even sub-sequence of the T timesteps, x0 = 1x28x28."""
    ts = torch.linspace(T - 1, 0, steps).round().long().tolist()
    outs = []
    for first in range(0, n, batch or n):
        x = torch.randn(min(batch or n, n - first), 1, 28, 28, device=dev)
        for i, t in enumerate(ts):
            a = ab[t]
            a_prev = ab[ts[i + 1]] if i + 1 < len(ts) else torch.ones((), device=dev)
            eps = m(x, torch.full((x.shape[0],), t, device=dev))
            x0 = (x - (1 - a).sqrt() * eps) / a.sqrt()
            x = a_prev.sqrt() * x0 + (1 - a_prev).sqrt() * eps
        outs.append(x)
    return torch.cat(outs)


def bench(out):
    r = {'torch': torch.__version__, 'device': torch.cuda.get_device_name() if dev == 'cuda' else 'cpu'}
    for b in (64, 256, 1024):
        step, _ = unet_step_fn(b)
        r[f'unet_train_b{b}_eager_ms'] = timeit(step, 5, 30)
    with torch.no_grad():
        m = tm.UNet().to(dev).eval()
        x = torch.randn(64, 1, 28, 28, device=dev); t = torch.randint(0, T, (64,), device=dev)
        r['unet_fwd_b64_eager_ms'] = timeit(lambda: m(x, t), 5, 50)
    for b in (1024,):
        r[f'mlp_train_b{b}_eager_ms'] = timeit(mlp_step_fn(b), 5, 50)
    with torch.no_grad():
        m = tm.UNet().to(dev).eval()
        r['ddim50_n1000_s'] = timeit(lambda: ddim_sample(m, 1000, 50), 1, 2) / 1e3
    if dev == 'cuda':
        try:
            step, _ = unet_step_fn(64, capturable=True)
            r['unet_train_b64_cudagraph_ms'] = timeit(graphed(step), 5, 50)
            r['mlp_train_b1024_cudagraph_ms'] = timeit(graphed(mlp_step_fn(1024, capturable=True)), 5, 50)
        except Exception as e:  # capture can fail on some ops
            r['cudagraph_error'] = repr(e)[:200]
        try:
            t0 = time.perf_counter()
            m = torch.compile(tm.UNet().to(dev))
            step, _ = unet_step_fn(64, m)
            step(); sync()
            r['compile_s'] = time.perf_counter() - t0
            r['unet_train_b64_compiled_ms'] = timeit(step, 5, 30)
        except Exception as e:
            r['compile_error'] = repr(e)[:200]
    print(json.dumps(r, indent=1), flush=True)
    with open(os.path.join(out, 'bench.json'), 'w') as f:
        json.dump(r, f, indent=1)



if __name__ == '__main__':
    bench(sys.argv[1])
