#!/usr/bin/python3
"""Where does a thin 3D convolution run faster as a 2D one? The measurement behind ml::slabPays.

    /usr/bin/python3 tests/bench/ml/slab_probe.py [--threads 2] [--repeats 30]

For each convolution of the networks' training steps whose input is a few slices deep, forward
plus backward (input and weight gradients; the stem only the weight's) as PyTorch's conv3d, and
the same convolution with the slices folded into the channels: an (O·Zout, C·Z, kx, ky) kernel
whose block (o, i) is the z tap taking input slice i to output slice o (zero out of reach),
a channels-last conv2d, and the layout copies in and out — what ml::convolveSlab does in C++
(the same oneDNN). Prints the median milliseconds of both and the largest difference of the
outputs. Debian's python3-torch 1.13 is LibTorch 1.13, the library the product links.
"""
import argparse
import time

import torch
import torch.nn.functional as F


def median_ms(fn, repeats):
    for _ in range(5):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    times.sort()
    return 1e3 * times[len(times) // 2]


def folded(x, w, stride, padding):
    n, c, nx, ny, depth = x.shape
    out, _, kx, ky, kz = w.shape
    sz, pz = stride[2], padding[2]
    slices = (depth + 2 * pz - kz) // sz + 1
    taps = torch.tensor([[i - sz * o + pz if 0 <= i - sz * o + pz < kz else kz
                          for i in range(depth)] for o in range(slices)]).flatten()
    padded = torch.cat([w, w.new_zeros(out, c, kx, ky, 1)], 4)
    planar = (padded.index_select(4, taps).reshape(out, c, kx, ky, slices, depth)
              .permute(0, 4, 1, 5, 2, 3).reshape(out * slices, c * depth, kx, ky)
              .contiguous(memory_format=torch.channels_last))
    x2 = x.permute(0, 2, 3, 1, 4).reshape(n, nx, ny, c * depth).permute(0, 3, 1, 2)
    y = F.conv2d(x2, planar, stride=stride[:2], padding=padding[:2])
    return (y.permute(0, 2, 3, 1).reshape(n, y.shape[2], y.shape[3], out, slices)
            .permute(0, 3, 1, 2, 4).contiguous())


CASES = [
    # name, input, weight, stride, padding, input needs its gradient
    ("paper stem", (4, 6, 64, 64, 4), (18, 6, 7, 7, 7), (2, 2, 1), (3, 3, 3), False),
    ("paper c2", (4, 18, 16, 16, 4), (18, 18, 3, 3, 3), (1, 1, 1), (1, 1, 1), True),
    ("paper c3.0.conv1", (4, 18, 16, 16, 4), (36, 18, 3, 3, 3), (2, 2, 2), (1, 1, 1), True),
    ("paper c3", (4, 36, 8, 8, 4), (36, 36, 3, 3, 3), (1, 1, 1), (1, 1, 1), True),
    ("demo stem", (4, 6, 32, 32, 4), (16, 6, 7, 7, 7), (2, 2, 1), (3, 3, 3), False),
    ("demo c2", (4, 16, 8, 8, 4), (16, 16, 3, 3, 3), (1, 1, 1), (1, 1, 1), True),
    ("demo Stage 2 c2 (16 slices)", (4, 16, 16, 16, 16), (16, 16, 3, 3, 3), (1, 1, 1),
     (1, 1, 1), True),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    print(f"{'convolution':30s} {'3D ms':>8s} {'folded 2D ms':>13s} {'max |diff|':>11s}")
    for name, shape, wshape, stride, padding, input_grad in CASES:
        x = torch.randn(*shape, requires_grad=input_grad)
        w = (torch.randn(*wshape) * 0.05).requires_grad_(True)
        reference = F.conv3d(x, w, stride=stride, padding=padding)
        upstream = torch.randn_like(reference)
        diff = (reference - folded(x, w, stride, padding)).abs().max().item()

        def step3d():
            F.conv3d(x, w, stride=stride, padding=padding).backward(upstream)

        def step2d():
            folded(x, w, stride, padding).backward(upstream)

        print(f"{name:30s} {median_ms(step3d, args.repeats):8.2f} "
              f"{median_ms(step2d, args.repeats):13.2f} {diff:11.1e}")


if __name__ == "__main__":
    main()
