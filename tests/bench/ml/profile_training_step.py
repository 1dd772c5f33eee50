#!/usr/bin/python3
"""Where a training step of the reference network spends its time (PyTorch's profiler).

    /usr/bin/python3 tests/bench/ml/profile_training_step.py [--stage 1|2] [--preset demo-v1|paper]

The network of reference_resnet3d.py (the same oneDNN kernels LibTorch calls) at a preset's
Stage 1 patch or Stage 2 breast size, batch 4, Adam, 2 threads: the step's time, forward +
backward alone, Adam's step alone, and the convolutions by input shape (ms per step). No
augmentation; this looks at the network's own step, which bench_ml_training times end to end.
"""
import argparse
import os
import sys
import time

import torch
import torch.nn.functional as F
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_resnet3d import BreastClassifier  # noqa: E402

# (width, norm, Stage 1 patch, Stage 2 breast) of ml::TrainingConfig::fromPreset. The demo
# preset reads a breast as windows of its Stage 1 patch since session 20; demo-v1, whose
# whole-breast Stage 2 this profiles, is the demo preset these measurements were made with.
PRESETS = {"demo-v1": (16, "batch", (32, 32, 4), (64, 64, 16)),
           "paper": (18, "instance", (64, 64, 4), (256, 256, 32))}


def mean_ms(f, n):
    t = time.perf_counter()
    for _ in range(n):
        f()
    return (time.perf_counter() - t) / n * 1e3


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--stage", type=int, choices=(1, 2), default=1)
    p.add_argument("--preset", choices=sorted(PRESETS), default="demo-v1")
    p.add_argument("--steps", type=int, default=20)
    a = p.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(1)
    width, norm, patch, breast = PRESETS[a.preset]
    size = patch if a.stage == 1 else breast
    model = BreastClassifier(6, width, whole_breast=a.stage == 2, norm=norm)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(4, 6, *size)
    y = torch.tensor([0, 1, 0, 1])

    def forward_backward():
        F.cross_entropy(model(x), y).backward()

    def step():
        opt.zero_grad()
        forward_backward()
        opt.step()

    for _ in range(3):
        step()
    print(f"{a.preset} Stage {a.stage}, input 4x6x{'x'.join(map(str, size))}, "
          f"{sum(q.numel() for q in model.parameters())} parameters")
    print(f"step {mean_ms(step, a.steps):.2f} ms, forward + backward "
          f"{mean_ms(forward_backward, a.steps):.2f} ms, Adam's step {mean_ms(opt.step, a.steps):.2f} ms"
          f" (means of {a.steps})")
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        for _ in range(a.steps):
            step()
    events = [e for e in prof.key_averages(group_by_input_shape=True)
              if "convolution" in e.key and e.self_cpu_time_total > 0]
    events.sort(key=lambda e: -e.self_cpu_time_total)
    print("\nconvolutions by input shape, self time per step:")
    for e in events[:20]:
        shapes = [s for s in e.input_shapes if s][:3]
        print(f"  {e.key:28s} {e.self_cpu_time_total / a.steps / 1e3:7.2f} ms  "
              f"x{e.count // a.steps}  {shapes}")


if __name__ == "__main__":
    main()
