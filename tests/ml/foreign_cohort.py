#!/usr/bin/env python3
"""A breast DCE-MRI cohort written by another tool: numpy + nibabel, no BreastMSC code.

The issue asks that the classifier learn from the images, not from any property of the
product's own generator, because it will be trained and tested on cohorts made by other tools
in the same format (../shared/design/COHORT-FORMAT.md). This script is such a tool, written
independently of io/src/synthetic and deliberately unlike it:

- fat-suppressed T1 (fat dark; the product's generator writes bright fat), T2 with bright fat;
- another field of view, a non-square matrix, another slice count and thickness;
- int16 files with a scale slope (nibabel's choice), stored RAS (voxel i toward the patient's
  right), half of the patients (at random) with the in-plane axes swapped and turned a few
  degrees (oblique),
  T2 on its own coarser grid for every third patient, `.nii` and `.nii.gz` mixed;
- its own anatomy (elliptic thorax, lungs, heart; breasts as half ellipsoids with a smoothed
  random glandular texture) and its own lesion and kinetic models (below), patient ids with
  `-` and `.`, extra columns in both CSVs, and some patients without lesions.

Classes overlap as in clinics: malignant lesions mostly wash in fast and wash out or plateau, are
irregular and darker on T2; benign ones mostly enhance slowly and persistently, are round and
brighter on T2 — each with exceptions. Usage:

    foreign_cohort.py OUT --patients 40 --seed 1 [--small] [--malignant-mm 4,22]
                      [--benign-mm 4,16]

--small writes 96 × 88 × 12 studies for tests (seconds); the default, 176 × 168 × 28, is about
the size of `breastmsc-cli generate`'s 192 × 192 × 24. Lesion diameters are log-uniform in the given ranges.
"""

import argparse
import csv
import math
import os
import sys

import nibabel as nib
import numpy as np
from scipy import ndimage

CHANNELS = ["pre", "post1", "post2", "post3", "post4", "t2"]
TIMES_S = [0.0, 85.0, 170.0, 255.0, 340.0]


def rotation_z(degrees):
    a = math.radians(degrees)
    return np.array([[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]])


def study_grid(rng, size, spacing, oblique):
    """The voxel → LPS mm map of one series: (3×3 direction · spacing, origin), centred."""
    direction = np.diag([-1.0, -1.0, 1.0])  # stored RAS: i toward the right, j toward anterior
    if oblique:
        direction = direction[:, [1, 0, 2]]  # in-plane axes swapped
        direction = rotation_z(rng.uniform(-6.0, 6.0)) @ direction
    step = direction @ np.diag(spacing)
    centre = np.array([rng.uniform(-8, 8), rng.uniform(-5, 5), rng.uniform(-6, 6)])
    origin = centre - step @ ((np.array(size) - 1) / 2.0)
    return step, origin


def lps_points(size, step, origin):
    ijk = np.stack(np.meshgrid(*[np.arange(n, dtype=np.float32) for n in size], indexing="ij"),
                   axis=-1)
    return ijk @ step.T.astype(np.float32) + origin.astype(np.float32)


def smooth_noise(rng, shape, sigma_vox):
    field = ndimage.gaussian_filter(rng.standard_normal(shape).astype(np.float32), sigma_vox)
    return field / (field.std() + 1e-6)


def soft_inside(distance, edge_mm):
    """1 inside (distance < 0), 0 outside, a smooth edge: partial volume at the surface."""
    return 1.0 / (1.0 + np.exp(np.clip(distance / edge_mm, -30, 30)))


def enhancement_curve(rng, malignant):
    """Relative enhancement at TIMES_S: wash-in time constant, then a late slope."""
    fast = rng.random() < (0.75 if malignant else 0.3)
    tau = rng.uniform(35, 80) if fast else rng.uniform(120, 320)
    kinds = ["washout", "plateau", "persistent"]
    shares = [0.55, 0.3, 0.15] if malignant else [0.12, 0.28, 0.6]
    kind = kinds[rng.choice(3, p=shares)]
    late = {"washout": rng.uniform(-0.45, -0.15), "plateau": rng.uniform(-0.08, 0.08),
            "persistent": rng.uniform(0.15, 0.5)}[kind]
    peak = rng.uniform(0.9, 2.2) if malignant else rng.uniform(0.5, 1.6)
    curve = []
    for t in TIMES_S:
        wash_in = 1.0 - math.exp(-t / tau)
        curve.append(peak * wash_in * (1.0 + late * max(0.0, t - TIMES_S[1]) / TIMES_S[-1]))
    return curve, kind


def make_patient(rng, small, diameters):
    """One study; diameters: {True: malignant, False: benign} (LOW, HIGH) in mm."""
    size = (96, 88, 12) if small else (176, 168, 28)
    fov = rng.uniform(330, 350)
    spacing = (fov / size[0], fov / size[0] * 1.04, (84.0 if small else 92.0) / size[2])
    oblique = rng.random() < 0.5
    step, origin = study_grid(rng, size, spacing, oblique)
    p = lps_points(size, step, origin)
    x, y, z = p[..., 0], p[..., 1], p[..., 2]

    # Thorax: an ellipse posterior to the chest wall, lungs inside, a heart near the midline.
    wall = rng.uniform(-5, 10)
    tx, ty = rng.uniform(135, 155), rng.uniform(85, 100)
    thorax = soft_inside(np.hypot(x / tx, (y - wall - ty) / ty) - 1.0, 0.02)
    lungs = sum(soft_inside(np.hypot((x - s * 62) / 48, (y - wall - 85) / 60) - 1.0, 0.03)
                for s in (-1, 1))
    hx = rng.uniform(-5, 25)
    heart = soft_inside(np.hypot((x - hx) / 45, (y - wall - 62) / 38) - 1.0, 0.04)

    # Breasts: half ellipsoids in front of the wall, glandular texture inside.
    breasts = np.zeros(size, np.float32)
    sides = {}
    for side, sign in (("left", 1.0), ("right", -1.0)):
        cx = sign * rng.uniform(72, 92)
        half_w, depth, half_h = rng.uniform(52, 70), rng.uniform(45, 95), rng.uniform(48, 62)
        r = np.sqrt(((x - cx) / half_w) ** 2 + (np.minimum(y - wall, 0) / depth) ** 2 +
                    (z / half_h) ** 2)
        inside = soft_inside(r - 1.0, 0.025) * (y < wall + 15)
        breasts = np.maximum(breasts, inside)
        sides[side] = (cx, half_w, depth, half_h)
    body = np.clip(np.maximum(breasts, thorax), 0, 1)

    density = rng.uniform(0.15, 0.55)
    texture = smooth_noise(rng, size, (2.2, 2.2, 1.0))
    glandular = breasts * soft_inside(-(texture - np.quantile(texture, 1 - density)), 0.35)
    bpe = rng.choice([0.05, 0.15, 0.3, 0.5], p=[0.35, 0.3, 0.2, 0.15])
    bpe_tau = rng.uniform(150, 400)

    # Fat-suppressed T1: fat dark, glands and muscle brighter; T2: fat bright, glands darker.
    pre = body * 150 + glandular * 170 + thorax * (1 - lungs) * 120 - lungs * thorax * 120
    t2 = body * 450 - glandular * 180 - thorax * (1 - lungs) * 250 - lungs * thorax * 380
    rel = np.zeros((5,) + size, np.float32)
    for k, t in enumerate(TIMES_S):
        rel[k] = (glandular * bpe * (1 - math.exp(-t / bpe_tau)) +
                  thorax * (1 - lungs) * 0.35 * (1 - math.exp(-t / 90)) +
                  heart * 2.2 * (1 - math.exp(-t / 20)) * (1.0 - 0.3 * t / 340))
    pre = np.where(heart > 0.5, 260, pre)

    # Lesions: each breast malignant with probability 0.4; benign lesions anywhere.
    lesions, labels = [], {}
    for side, (cx, half_w, depth, half_h) in sides.items():
        kinds = []
        malignant = rng.random() < 0.4
        if malignant:
            kinds.append(True)
        kinds += [False] * rng.choice(3, p=[0.45, 0.4, 0.15])
        labels[side] = "malignant" if malignant else "benign"
        for is_malignant in kinds:
            while True:  # a centre well inside the breast
                c = np.array([cx + rng.uniform(-0.7, 0.7) * half_w,
                              wall - rng.uniform(0.15, 0.75) * depth,
                              rng.uniform(-0.6, 0.6) * half_h])
                if ((c[0] - cx) / half_w) ** 2 + ((c[1] - wall) / depth) ** 2 + \
                        (c[2] / half_h) ** 2 < 0.6:
                    break
            low, high = diameters[is_malignant]
            diameter = math.exp(rng.uniform(math.log(low), math.log(high)))
            axes = diameter / 2 * rng.uniform(0.75, 1.25, 3)
            d = np.sqrt(((x - c[0]) / axes[0]) ** 2 + ((y - c[1]) / axes[1]) ** 2 +
                        ((z - c[2]) / axes[2]) ** 2)
            if is_malignant:  # irregular margin
                d = d * (1 + 0.25 * smooth_noise(rng, size, 1.5))
            mask = soft_inside((d - 1.0) * diameter / 2, 0.6) * breasts
            curve, kind = enhancement_curve(rng, is_malignant)
            rim = is_malignant and diameter > 9 and rng.random() < 0.4
            profile = np.clip(d, 0, 1) ** 2 * 0.7 + 0.3 if rim else 1.0
            pre = pre * (1 - mask) + mask * rng.uniform(190, 260)
            lesion_t2 = rng.uniform(110, 260) if (rng.random() < 0.8) == is_malignant \
                else rng.uniform(320, 700)
            t2 = t2 * (1 - mask) + mask * lesion_t2
            for k in range(5):
                rel[k] = rel[k] * (1 - mask) + mask * curve[k] * profile
            lesions.append({"x_mm": c[0], "y_mm": c[1], "z_mm": c[2],
                            "label": "malignant" if is_malignant else "benign",
                            "radius_mm": diameter / 2, "curve": kind})

    # Acquisition: a coil sensitivity across x shared by the dynamic series, Rician-like noise.
    coil = 1.0 + 0.15 * np.tanh(x / 120.0) * rng.choice([-1, 1])
    noise = rng.uniform(4, 9)
    volumes = {}
    for k, name in enumerate(CHANNELS[:5]):
        signal = pre * (1 + rel[k]) * coil
        volumes[name] = np.hypot(signal + rng.normal(0, noise, size),
                                 rng.normal(0, noise, size)).astype(np.float32)
    volumes["t2"] = np.hypot(np.clip(t2, 5, None) + rng.normal(0, noise, size),
                             rng.normal(0, noise, size)).astype(np.float32)
    return {"size": size, "step": step, "origin": origin, "volumes": volumes,
            "lesions": lesions, "labels": labels}


def nifti_affine(step, origin):
    """LPS voxel map → the RAS affine NIfTI stores."""
    flip = np.diag([-1.0, -1.0, 1.0])
    affine = np.eye(4)
    affine[:3, :3] = flip @ step
    affine[:3, 3] = flip @ origin
    return affine


def save(volume, step, origin, path):
    image = nib.Nifti1Image(volume, nifti_affine(step, origin))
    image.set_data_dtype(np.int16)  # nibabel picks scl_slope / scl_inter
    image.set_qform(image.affine, code=1)
    image.set_sform(image.affine, code=1)
    nib.save(image, path)


def coarser_t2(volume, size, step, origin):
    """T2 on its own grid: every other row and slice (its voxels twice as large, same extent)."""
    coarse = ndimage.zoom(volume, (1.0, 0.5, 0.5), order=1)
    factors = np.array(size) / np.array(coarse.shape)
    new_step = step @ np.diag(factors)
    first = origin + step @ ((factors - 1) / 2.0)  # the centre of the first coarse voxel
    return coarse, new_step, first


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out")
    parser.add_argument("--patients", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--malignant-mm", default="4,22",
                        help="malignant lesion diameters LOW,HIGH in mm, log-uniform")
    parser.add_argument("--benign-mm", default="4,16",
                        help="benign lesion diameters LOW,HIGH in mm, log-uniform")
    args = parser.parse_args()
    if args.patients < 1:
        sys.exit("--patients must be at least 1")
    diameters = {}
    for malignant, text in ((True, args.malignant_mm), (False, args.benign_mm)):
        try:
            low, high = (float(v) for v in text.split(","))
            assert 1.0 <= low < high <= 60.0
        except (ValueError, AssertionError):
            sys.exit(f"diameters '{text}': expected LOW,HIGH in mm with 1 <= LOW < HIGH <= 60")
        diameters[malignant] = (low, high)
    rng = np.random.default_rng(args.seed)
    os.makedirs(args.out, exist_ok=False)
    breast_rows, lesion_rows = [], []
    for n in range(args.patients):
        pid = f"ext-{n + 1:03d}.v2"
        patient = make_patient(rng, args.small, diameters)
        folder = os.path.join(args.out, pid)
        os.makedirs(folder)
        for k, name in enumerate(CHANNELS):
            volume, step, origin = patient["volumes"][name], patient["step"], patient["origin"]
            if name == "t2" and n % 3 == 2:
                volume, step, origin = coarser_t2(volume, patient["size"], step, origin)
            ext = ".nii.gz" if (n + k) % 2 == 0 else ".nii"
            save(volume, step, origin, os.path.join(folder, name + ext))
        for side in ("left", "right"):
            breast_rows.append([pid, side, patient["labels"][side], "site-B"])
        for lesion in patient["lesions"]:
            lesion_rows.append([pid, f"{lesion['x_mm']:.3f}", f"{lesion['y_mm']:.3f}",
                                f"{lesion['z_mm']:.3f}", lesion["label"],
                                f"{lesion['radius_mm']:.2f}", lesion["curve"]])
        print(f"{pid}: {len(patient['lesions'])} lesion(s), "
              f"left {patient['labels']['left']}, right {patient['labels']['right']}", flush=True)
    with open(os.path.join(args.out, "cohort.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["patient_id", "side", "label", "site"])
        w.writerows(breast_rows)
    with open(os.path.join(args.out, "lesions.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["patient_id", "x_mm", "y_mm", "z_mm", "label", "radius_mm", "curve"])
        w.writerows(lesion_rows)


if __name__ == "__main__":
    main()
