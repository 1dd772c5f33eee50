#!/usr/bin/python3
"""Why ml::installCpuBlockCache exists: what fresh memory costs on this machine.

1. Times a paper-size c2 convolution (4x18x64x64x32, 3x3x3, forward + backward) in PyTorch.
   Run it twice to compare glibc's defaults with large blocks reused:
     /usr/bin/python3 tests/bench/ml/allocation_probe.py
     GLIBC_TUNABLES=glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=2147483647 \\
         /usr/bin/python3 tests/bench/ml/allocation_probe.py
   (DNNL_VERBOSE=1 in front shows the share of oneDNN's reorders into fresh memory.)
Why the product does not use those glibc settings: heap_growth_probe.c. A probe that prints
figures; not a test.
"""
import time

import torch
import torch.nn.functional as F


def convolution(rounds=4):
    torch.set_num_threads(2)
    torch.manual_seed(0)
    x = torch.randn(4, 18, 64, 64, 32)
    w = torch.randn(18, 18, 3, 3, 3) * 0.05
    forward, backward = [], []
    for r in range(rounds):
        xx = x.clone().requires_grad_(True)
        ww = w.clone().requires_grad_(True)
        t0 = time.perf_counter()
        y = F.conv3d(xx, ww, padding=1)
        t1 = time.perf_counter()
        y.backward(torch.ones_like(y))
        t2 = time.perf_counter()
        if r:
            forward.append(t1 - t0)
            backward.append(t2 - t1)
    print("c2 convolution 4x18x64x64x32, 3x3x3, 2 threads: forward %.0f ms, backward %.0f ms "
          "(best of %d)" % (1e3 * min(forward), 1e3 * min(backward), rounds - 1))


if __name__ == "__main__":
    convolution()
