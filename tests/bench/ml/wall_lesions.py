#!/usr/bin/python3
"""What the posterior-wall clearing (preprocess --posterior-wall F) takes from a cohort.

Reads a cohort preprocessed WITHOUT the clearing (`breastmsc-cli preprocess COHORT -o PP
--grid 192x192x24 --crop-rows 96`, the demo preset's grid), redoes clearPosteriorWall's rule
on post1 - pre (per column, the unbroken run from the crop's last row forward whose uptake
is above F x the breast's highest) and prints, for the cohort:
  - lesions inside a breast, those whose centre voxel is cleared, those with part of their
    ball (the annotated diameter) cleared;
  - the cleared pieces (26-connected) of at least 20 voxels that hold no lesion and how many
    are no wider in x than a 16 mm lesion, with their peak uptake against the breast's
    highest — whether a rule keeping narrow pieces could tell a lesion from the wall;
  - the cleared voxels per breast by class, and the AUROC of "fewer voxels cleared" and of
    the breast's peak uptake for malignancy: how the amount cleared follows the peak, which
    sets the threshold.

Usage: wall_lesions.py PP COHORT [--fraction 0.3] [-v]
"""
import argparse
import csv
import os
import sys

import nibabel as nib
import numpy as np
from scipy import ndimage
from sklearn.metrics import roc_auc_score

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peak_rules  # noqa: E402


# clearPosteriorWall's rule (io/src/preprocess/Preprocess.cpp), shared with the peak rule wall30.
cleared_mask = peak_rules.posterior_runs


def lesion_sizes(cohort):
    """patient -> [(x_mm, y_mm, diameter_mm)], from either tool's lesions.csv."""
    sizes = {}
    with open(os.path.join(cohort, 'lesions.csv'), newline='') as f:
        for r in csv.DictReader(f):
            d = float(r['diameter_mm']) if r.get('diameter_mm') else 2 * float(r['radius_mm'])
            sizes.setdefault(r['patient_id'], []).append((float(r['x_mm']), float(r['y_mm']), d))
    return sizes


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('pp')
    ap.add_argument('cohort')
    ap.add_argument('--fraction', type=float, default=0.3)
    ap.add_argument('-v', '--verbose', action='store_true')
    a = ap.parse_args()
    labels = {}
    with open(os.path.join(a.cohort, 'cohort.csv'), newline='') as f:
        for r in csv.DictReader(f):
            labels[(r['patient_id'], r['side'])] = r['label'] == 'malignant'
    sizes = lesion_sizes(a.cohort)
    inside = centre = part = pieces = narrow = 0
    narrow_peak = []
    y, n_cleared, peak = [], [], []
    for p in sorted(os.listdir(a.pp)):
        folder = os.path.join(a.pp, p)
        if not os.path.isdir(os.path.join(folder, 'left')):
            continue
        points = []
        if os.path.exists(os.path.join(folder, 'lesions.csv')):
            with open(os.path.join(folder, 'lesions.csv'), newline='') as f:
                points = [r for r in csv.DictReader(f) if r['inside'] == 'yes']
        for side in ('left', 'right'):
            image = nib.load(os.path.join(folder, side, 'pre.nii.gz'))
            spacing = image.header.get_zooms()[:3]
            uptake = (nib.load(os.path.join(folder, side, 'post1.nii.gz')).get_fdata()
                      - image.get_fdata())
            highest = uptake.max()
            cl = (cleared_mask(uptake, a.fraction * highest) if highest > 0
                  else np.zeros(uptake.shape, dtype=bool))
            y.append(labels[(p, side)])
            n_cleared.append(int(cl.sum()))
            peak.append(highest)
            grid = np.meshgrid(*(np.arange(n) * s for n, s in zip(cl.shape, spacing)),
                               indexing='ij')
            balls = np.zeros(cl.shape, dtype=bool)
            for r in (r for r in points if r['side'] == side):
                inside += 1
                ijk = (int(r['i']), int(r['j']), int(r['k']))
                x_mm, y_mm = float(r['x_mm']), float(r['y_mm'])
                # preprocess writes the cohort's point to 6 decimals: the nearest one is it
                d = min(sizes[p], key=lambda t: abs(t[0] - x_mm) + abs(t[1] - y_mm))[2]
                ball = sum((g - i * s) ** 2 for g, i, s in zip(grid, ijk, spacing)) <= (d / 2) ** 2
                ball[ijk] = True
                balls |= ball
                share = cl[ball].mean()
                centre += bool(cl[ijk])
                part += share > 0 and not cl[ijk]
                if share > 0 and a.verbose:
                    print(f'  {p} {side} {r["label"]} {ijk} {d:.1f} mm: {share:.0%} of its ball '
                          f'cleared, centre {"cleared" if cl[ijk] else "kept"}')
            lab, _ = ndimage.label(cl, structure=np.ones((3, 3, 3)))
            voxels = np.bincount(lab.ravel())
            for c, box in enumerate(ndimage.find_objects(lab), start=1):
                if voxels[c] < 20 or balls[box][lab[box] == c].any():
                    continue  # small, or (part of) a lesion
                pieces += 1
                if (box[0].stop - box[0].start) * spacing[0] <= 16:
                    narrow += 1
                    narrow_peak.append(uptake[lab == c].max() / highest)
    y = np.array(y)
    n_cleared = np.array(n_cleared)
    name = os.path.basename(os.path.normpath(a.cohort))
    print(f'{name}: {inside} lesions inside a breast, centre cleared {centre}, part cleared '
          f'{part}; cleared pieces of >= 20 voxels without a lesion {pieces}, '
          f'no wider than 16 mm {narrow}'
          + (f' (peak {min(narrow_peak):.2f}-{max(narrow_peak):.2f} of the breast\'s highest)'
             + f', {sum(v >= 0.9 for v in narrow_peak)} at 0.9 or more'
             if narrow_peak else ''))
    print(f'{name}: voxels cleared per breast, median malignant {np.median(n_cleared[y]):.0f} '
          f'/ benign {np.median(n_cleared[~y]):.0f}; breasts with none cleared '
          f'{np.mean(n_cleared[y] == 0):.0%} / {np.mean(n_cleared[~y] == 0):.0%}; AUROC of '
          f'fewer cleared {roc_auc_score(y, -n_cleared):.3f}, of peak uptake '
          f'{roc_auc_score(y, peak):.3f}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
