"""The workloads bench/compare_torch times on both sides: names, the Google
Benchmark case that runs ours, and the FLOP count behind "our GFLOP/s".
No torch import here (the driver imports this module too).

Shapes: N batch, C in, O out channels, H = W size, K kernel. FLOPs count a
multiply-add as 2; a training step is counted as 3 forwards (the backward
computes two products per forward product: input and weight gradients).
"""

# The U-Net's convolutions at batch 64, {C, O, H, K, stride, padding}, in the
# order of kConvShapes in bench/tensor_bench.cpp (BM_Conv2dForwardBackward/i).
CONV_SHAPES = [
    (1, 32, 28, 3, 1, 1),     # conv_in
    (32, 32, 28, 3, 1, 1),    # d1.c1, d1.c2, u1.c2
    (32, 32, 28, 3, 2, 1),    # down1
    (64, 64, 14, 3, 1, 1),    # d2.c2, up2, u2.c2
    (64, 64, 7, 3, 1, 1),     # m1, m2 (c1 and c2)
    (64, 192, 7, 1, 1, 0),    # attention qkv
    (32, 64, 14, 3, 1, 1),    # d2.c1
    (32, 64, 14, 1, 1, 0),    # d2.skip
    (64, 64, 14, 3, 2, 1),    # down2
    (64, 64, 7, 1, 1, 0),     # attention out
    (128, 64, 14, 3, 1, 1),   # u2.c1
    (128, 64, 14, 1, 1, 0),   # u2.skip
    (64, 64, 28, 3, 1, 1),    # up1
    (96, 32, 28, 3, 1, 1),    # u1.c1
    (96, 32, 28, 1, 1, 0),    # u1.skip
    (32, 1, 28, 3, 1, 1),     # conv_out
]
# How many times one U-Net forward runs each shape above.
CONV_USES = [1, 3, 1, 3, 4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
CONV_BATCH = 64
GROUPNORM_SHAPE = (64, 32, 28, 28)  # the U-Net's largest activation, 8 groups


def conv_out_size(h, k, stride, padding):
    return (h + 2 * padding - k) // stride + 1


def conv_flops(shape, batch=CONV_BATCH):
    c, o, h, k, stride, padding = shape
    ho = conv_out_size(h, k, stride, padding)
    return 2.0 * batch * o * ho * ho * c * k * k


def unet_forward_flops(batch):
    convs = sum(uses * conv_flops(s, batch) for s, uses in zip(CONV_SHAPES, CONV_USES))
    attention = 2 * (2.0 * batch * 49 * 49 * 64)  # q^T k and a v at 7x7, 64 channels
    # time embedding 64 -> 128 -> 128, then one 128 -> C_out projection per ResBlock
    linears = 2.0 * batch * (64 * 128 + 128 * 128 + 128 * (32 + 64 + 64 + 64 + 64 + 32))
    return convs + attention + linears


def mlp2d_forward_flops(batch):
    return 2.0 * batch * (34 * 256 + 2 * 256 * 256 + 256 * 2)


def workloads(sample_images):
    """(name, label, binary, benchmark filter, min time s, FLOPs per call or None)."""
    rows = [
        ('mlp2d_train', 'MLP2D train step, batch 1024', 'nn_bench', '^BM_MLP2DTrainStep$', 0.5,
         3 * mlp2d_forward_flops(1024)),
        ('unet_train', 'U-Net train step, batch 64', 'nn_bench', '^BM_UNetTrainStep/', 2.0,
         3 * unet_forward_flops(64)),
        ('unet_forward', 'U-Net forward (no grad), batch 64', 'nn_bench', '^BM_UNetForwardNoGrad/', 1.0,
         unet_forward_flops(64)),
        ('ddim50', f'DDIM-50 sampling, {sample_images} U-Net images', 'diffusion_bench',
         f'^BM_DdimSample50_UNet/{sample_images}/', 0.0, 50 * unet_forward_flops(sample_images)),
    ]
    for i, s in enumerate(CONV_SHAPES):
        c, o, h, k, stride, _ = s
        label = f'conv2d fwd+bwd {c}->{o} {k}x{k}' + (f' s{stride}' if stride > 1 else '') + f' at {h}x{h}'
        rows.append((f'conv{i}', label, 'tensor_bench', f'^BM_Conv2dForwardBackward/{i}/', 0.5, 3 * conv_flops(s)))
    rows.append(('groupnorm_silu', 'GroupNorm+SiLU fwd+bwd (64, 32, 28, 28)', 'tensor_bench',
                 '^BM_GroupNormSiluForwardBackward', 0.5, None))
    return rows
