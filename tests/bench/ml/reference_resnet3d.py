#!/usr/bin/env python3
"""Python PyTorch (eager) reference for the ML benchmarks (tests/bench/ml).

The paper's 3D ResNet18 exactly as doc/NETWORK.md describes it, with module names chosen so
that the state dict of bmsc::ml::BreastClassifier (exported by the C++ benchmark as one .npy
file per tensor) loads by name with strict=True. Three commands, each driven by the C++
benchmark programs, each writing a JSON result file:

  infer    time the forward pass fp32 and bf16 (CPU autocast) on the same weights and input
  train    training steps (forward + backward + Adam, batch 4) with the augmentation of the
           authors' code: scipy.ndimage.rotate (order 1) per channel + flips, per sample
  augment  scipy.ndimage augmentation (rotation about z, order 1, zero border, + mirror) alone

Axes are (N, C, X, Y, Z) with Z, the thin axis, last (as in the C++ product).
"""

import argparse
import json
import pathlib
import statistics
import sys
import time

import numpy as np
import scipy.ndimage
import torch
import torch.nn as nn
import torch.nn.functional as F


# --- The network (NETWORK.md) ---------------------------------------------------------------


def make_norm(kind, channels):
    # ml::NormKind: instance (the paper) or batch, without affine parameters either way.
    if kind == "batch":
        return nn.BatchNorm3d(channels, affine=False)
    return nn.InstanceNorm3d(channels, affine=False)


class BasicBlock3d(nn.Module):
    def __init__(self, cin, cout, stride, project, slope, norm="instance"):
        super().__init__()
        self.slope = slope
        self.conv1 = nn.Conv3d(cin, cout, 3, stride, 1, bias=False)
        self.norm1 = make_norm(norm, cout)
        self.conv2 = nn.Conv3d(cout, cout, 3, 1, 1, bias=False)
        self.norm2 = make_norm(norm, cout)
        if project or cin != cout or stride != 1:
            self.projection = nn.Conv3d(cin, cout, 1, stride, 0, bias=False)
            self.projection_norm = make_norm(norm, cout)
        else:
            self.projection = None

    def forward(self, x):
        y = F.leaky_relu(self.norm1(self.conv1(x)), self.slope)
        y = self.norm2(self.conv2(y))
        skip = self.projection_norm(self.projection(x)) if self.projection is not None else x
        return F.leaky_relu(y + skip, self.slope)


class ResNet3dBackbone(nn.Module):
    def __init__(self, channels=6, width=18, blocks=(2, 2, 2, 2), slope=0.01, norm="instance"):
        super().__init__()
        w = width
        self.stem = nn.Sequential(
            nn.Conv3d(channels, w, 7, (2, 2, 1), 3, bias=False),
            make_norm(norm, w),
            nn.LeakyReLU(slope),
        )

        def stage(cin, cout, n, stride, pool_first):
            layers = []
            if pool_first:
                layers.append(nn.MaxPool3d(3, (2, 2, 1), 1))
            layers.append(BasicBlock3d(cin, cout, stride, True, slope, norm))
            layers += [BasicBlock3d(cout, cout, 1, False, slope, norm) for _ in range(1, n)]
            return nn.Sequential(*layers)

        self.c2 = stage(w, w, blocks[0], 1, True)
        self.c3 = stage(w, 2 * w, blocks[1], 1, True)
        self.c4 = stage(2 * w, 4 * w, blocks[2], 2, False)
        self.c5 = stage(4 * w, 8 * w, blocks[3], 2, False)
        for m in self.modules():
            if isinstance(m, nn.Conv3d):
                nn.init.kaiming_uniform_(m.weight, slope, "fan_out", "leaky_relu")

    def forward(self, x):
        return self.c5(self.c4(self.c3(self.c2(self.stem(x)))))


class BreastClassifier(nn.Module):
    def __init__(self, channels=6, width=18, whole_breast=True, classes=2, slope=0.01,
                 norm="instance"):
        super().__init__()
        self.whole_breast = whole_breast
        self.backbone = ResNet3dBackbone(channels, width, slope=slope, norm=norm)
        self.pool = nn.AvgPool3d((2, 2, 1), (2, 2, 1))
        self.fc = nn.Conv3d(8 * width, classes, 1, bias=True)
        nn.init.kaiming_uniform_(self.fc.weight, slope, "fan_out", "leaky_relu")
        nn.init.zeros_(self.fc.bias)

    def forward(self, x):
        # As ml::BreastClassifier::classify: whole breasts take the (2,2,1) pool and then the
        # adaptive pool; a patch the average of its C5 map (one voxel for 32x32x4).
        f = self.backbone(x)
        y = F.adaptive_avg_pool3d(self.pool(f) if self.whole_breast else f, 1)
        return self.fc(y).flatten(1)


def set_threads(n):
    torch.set_num_threads(n)
    try:
        torch.set_num_interop_threads(n)
    except RuntimeError:
        pass  # already set in this process


def median_ms(seconds):
    return 1e3 * statistics.median(seconds)


# --- infer ------------------------------------------------------------------------------------


def load_weights(model, folder):
    state = {}
    for f in sorted(pathlib.Path(folder).glob("*.npy")):
        state[f.stem] = torch.from_numpy(np.load(f))
    model.load_state_dict(state, strict=True)  # fails loudly on any name or shape mismatch
    return len(state)


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_forward(model, x, warmup, repeats, bf16):
    times = []
    logits = None
    with torch.no_grad(), torch.autocast(x.device.type, dtype=torch.bfloat16, enabled=bf16):
        for i in range(warmup + repeats):
            synchronize(x.device)
            t0 = time.perf_counter()
            logits = model(x)
            synchronize(x.device)
            dt = time.perf_counter() - t0
            if i >= warmup:
                times.append(dt)
    return times, logits.float().cpu()


def time_training_steps(model, x, y, warmup, repeats):
    """Forward, cross-entropy, backward, Adam (PyTorch's default implementation for the device),
    gradients set to none between steps: what the C++ benchmark times on the same device."""
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-5)
    times = []
    for i in range(warmup + repeats):
        synchronize(x.device)
        t0 = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        optimizer.step()
        synchronize(x.device)
        dt = time.perf_counter() - t0
        if i >= warmup:
            times.append(dt)
    model.eval()
    return times


def command_infer(a):
    set_threads(a.threads)
    model = BreastClassifier(a.channels, a.width, whole_breast=True)
    tensors = load_weights(model, a.weights)
    model.eval()
    device = torch.device(a.device)
    model.to(device)
    x = torch.from_numpy(np.load(a.input)).to(device)
    result = {
        "torch": torch.__version__,
        "device": str(device),
        "threads": torch.get_num_threads(),
        "interop_threads": torch.get_num_interop_threads(),
        "tensors_loaded": tensors,
        "parameters": sum(p.numel() for p in model.parameters()),
    }
    if device.type == "cuda":
        result["cudnn_allow_tf32"] = str(torch.backends.cudnn.allow_tf32)
        result["matmul_tf32"] = str(torch.backends.cuda.matmul.allow_tf32)
    times, logits = time_forward(model, x, a.warmup, a.repeats, False)
    result["fp32_ms"] = [1e3 * t for t in times]
    result["fp32_median_ms"] = median_ms(times)
    result["logits_fp32"] = logits.flatten().tolist()
    try:
        times, logits = time_forward(model, x, a.warmup, a.repeats, True)
        result["bf16_ms"] = [1e3 * t for t in times]
        result["bf16_median_ms"] = median_ms(times)
        result["logits_bf16"] = logits.flatten().tolist()
    except Exception as e:  # noqa: BLE001 - report why bf16 is unavailable
        result["bf16_error"] = str(e)
    if a.pair:
        times, _ = time_forward(model, torch.cat([x, torch.randn_like(x)]), a.warmup, a.repeats,
                                False)
        result["pair_median_ms"] = median_ms(times)
    if a.train_steps > 0:
        batch = torch.randn((4,) + tuple(x.shape[1:]), device=device)
        labels = torch.tensor([0, 1, 1, 0], device=device)
        times = time_training_steps(model, batch, labels, a.warmup, a.train_steps)
        result["train_median_ms"] = median_ms(times)
    pathlib.Path(a.out).write_text(json.dumps(result))


# --- augmentation as in the authors' code ---------------------------------------------------


def augment_sample(cxyz, angle_deg, flip_x, flip_y, mode="constant"):
    """Rotation about z (in-plane axes 0, 1 of each channel), linear, zero border; mirrors.

    mode="constant" is scipy's default (what the authors' code gets): no interpolation with
    the zero border at the image's edge. "grid-constant" interpolates with the zero border as
    the C++ product does, for checking that both compute the same transform."""
    out = np.empty_like(cxyz)
    for c in range(cxyz.shape[0]):
        out[c] = scipy.ndimage.rotate(
            cxyz[c], angle_deg, axes=(0, 1), reshape=False, order=1, mode=mode, cval=0.0
        )
    if flip_x:
        out = np.flip(out, axis=1)
    if flip_y:
        out = np.flip(out, axis=2)
    return np.ascontiguousarray(out)  # torch.from_numpy needs positive strides


def command_augment(a):
    x = np.load(a.input)
    times, cpu = [], []
    out = None
    for i in range(a.warmup + a.repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        out = augment_sample(x, a.angle, a.flip_x, a.flip_y)
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        if i >= a.warmup:
            times.append(dt)
            cpu.append(dc)
    out.astype("<f4").tofile(a.output)
    grid = augment_sample(x, a.angle, a.flip_x, a.flip_y, mode="grid-constant")
    grid.astype("<f4").tofile(a.output + ".grid-constant")
    pathlib.Path(a.out).write_text(
        json.dumps({"ms": [1e3 * t for t in times], "median_ms": median_ms(times),
                    "cpu_median_ms": median_ms(cpu),
                    "scipy": scipy.__version__, "numpy": np.__version__})
    )


# --- train ------------------------------------------------------------------------------------


def train_case(case, threads, rng):
    torch.manual_seed(case.get("seed", 1))
    patch = case["patch"]
    size = case["input"]  # network input (X, Y, Z)
    breast = case["breast"]
    channels, batch = case["channels"], case["batch"]
    model = BreastClassifier(channels, case["width"], whole_breast=not patch,
                             norm=case.get("norm", "instance"))
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=case["lr"])
    breasts = [rng.standard_normal((channels, *breast), dtype=np.float32)
               for _ in range(case["breasts"])]
    max_angle = case["max_rotation_degrees"]
    steps, warmup = case["steps"], case["warmup"]
    step_times, augment_times = [], []
    for step in range(warmup + steps):
        t0 = time.perf_counter()
        items, labels = [], []
        for _ in range(batch):
            volume = breasts[rng.integers(len(breasts))]
            if patch:
                o = [int(rng.integers(0, breast[k] - size[k] + 1)) for k in range(3)]
                volume = volume[:, o[0]:o[0] + size[0], o[1]:o[1] + size[1], o[2]:o[2] + size[2]]
            items.append(augment_sample(volume, rng.uniform(-max_angle, max_angle),
                                        bool(rng.integers(2)), bool(rng.integers(2))))
            labels.append(int(rng.integers(2)))
        x = torch.from_numpy(np.stack(items))
        y = torch.tensor(labels)
        t1 = time.perf_counter()
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        loss.item()
        t2 = time.perf_counter()
        if step >= warmup:
            step_times.append(t2 - t0)
            augment_times.append(t1 - t0)
    total = sum(step_times)
    return {
        "name": case["name"],
        "steps": steps,
        "samples_per_s": batch * steps / total,
        "step_median_ms": median_ms(step_times),
        "augment_share": sum(augment_times) / total,
    }


def command_train(a):
    set_threads(a.threads)
    cases = json.loads(pathlib.Path(a.cases).read_text())
    rng = np.random.default_rng(1)
    results = [train_case(c, a.threads, rng) for c in cases]
    pathlib.Path(a.out).write_text(json.dumps({"torch": torch.__version__, "cases": results}))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    i = sub.add_parser("infer")
    i.add_argument("--weights", required=True, help="folder of <state-dict-name>.npy files")
    i.add_argument("--input", required=True, help=".npy (N, C, X, Y, Z) float32")
    i.add_argument("--channels", type=int, default=6)
    i.add_argument("--width", type=int, default=18)
    i.add_argument("--threads", type=int, default=2)
    i.add_argument("--warmup", type=int, default=2)
    i.add_argument("--repeats", type=int, default=5)
    i.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    i.add_argument("--pair", action="store_true", help="also time a batch of 2 (both breasts)")
    i.add_argument("--train-steps", type=int, default=0,
                   help="also time this many training steps of batch 4 (after warm-up steps)")
    i.add_argument("--out", required=True)
    g = sub.add_parser("augment")
    g.add_argument("--input", required=True, help=".npy (C, X, Y, Z) float32")
    g.add_argument("--angle", type=float, required=True, help="degrees")
    g.add_argument("--flip-x", action="store_true")
    g.add_argument("--flip-y", action="store_true")
    g.add_argument("--warmup", type=int, default=1)
    g.add_argument("--repeats", type=int, default=5)
    g.add_argument("--output", required=True, help="raw float32 (C, X, Y, Z) result")
    g.add_argument("--out", required=True)
    t = sub.add_parser("train")
    t.add_argument("--cases", required=True, help="JSON list of cases")
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--out", required=True)
    a = p.parse_args()
    {"infer": command_infer, "augment": command_augment, "train": command_train}[a.command](a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
