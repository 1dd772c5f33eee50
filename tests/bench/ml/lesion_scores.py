#!/usr/bin/env python3
"""What a model's lesion scores follow: its CAM at each annotated lesion against the lesion's
peak contrast uptake and its diameter (doc/RESULTS-run-43.md).

usage: lesion_scores.py COHORT CAMS

COHORT is a cohort folder written by `breastmsc-cli generate` (lesions.csv with the generator's
`kind` and `diameter_mm` columns, NIfTI studies); CAMS holds one folder per patient as written
by `breastmsc-cli cam --model RUN --study COHORT/PNNNN --out CAMS/PNNNN` (out of fold when RUN
is a training run). Per lesion: the maximum of the breast's map (cam_left/right.nii.gz) within
the lesion's radius, and the peak of post1 - pre there, divided by the study's pre-contrast
99th percentile of the brighter half of its voxels (the tissue). Prints the AUROC of each as a
malignancy score, their rank correlation with the diameter within each class (the generator
draws diameters alike for both classes, so a score that follows the size within a class
follows something that says nothing of it), and a standardised rank regression of the score
on uptake and diameter within each class.
"""
import csv
import os
import sys

import nibabel as nib
import numpy as np
from scipy.stats import rankdata, spearmanr
from sklearn.metrics import roc_auc_score


def lesion_rows(cohort, cams):
    rows = list(csv.DictReader(open(os.path.join(cohort, "lesions.csv"))))
    for need in ("kind", "diameter_mm"):
        if rows and need not in rows[0]:
            sys.exit(f"{cohort}/lesions.csv has no '{need}' column (a generate cohort has)")
    study = None
    for r in rows:
        pid = r["patient_id"]
        if not os.path.exists(os.path.join(cams, pid, "cam_left.nii.gz")):
            continue
        if study is None or study[0] != pid:
            d = os.path.join(cohort, pid)
            pre_img = nib.load(os.path.join(d, "pre.nii.gz"))
            pre = pre_img.get_fdata(dtype=np.float32)
            post = nib.load(os.path.join(d, "post1.nii.gz")).get_fdata(dtype=np.float32)
            maps = [nib.load(os.path.join(cams, pid, f"cam_{s}.nii.gz")).get_fdata(dtype=np.float32)
                    for s in ("left", "right")]
            tissue = pre[pre > np.percentile(pre, 50)]
            study = (pid, pre_img, pre, post - pre, maps, np.percentile(tissue, 99))
        _, img, pre, uptake, maps, scale = study
        # lesions.csv is in LPS millimetres, NIfTI's affine in RAS.
        ras = np.array([-float(r["x_mm"]), -float(r["y_mm"]), float(r["z_mm"]), 1.0])
        ijk = np.linalg.inv(img.affine) @ ras
        zooms = img.header.get_zooms()[:3]
        radius = max(float(r["diameter_mm"]) / 2, 0.6 * max(zooms))
        grids = np.ogrid[tuple(slice(0, n) for n in pre.shape)]
        inside = sum(((g - ijk[a]) * zooms[a]) ** 2 for a, g in enumerate(grids)) <= radius**2
        score = max((float(m[inside].max()) for m in maps if np.any(m[inside] != 0)),
                    default=np.nan)
        yield dict(malignant=r["label"] == "malignant", cyst=r["kind"] == "cyst",
                   diameter=float(r["diameter_mm"]), cam=score,
                   uptake=float(uptake[inside].max() / scale))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    les = [l for l in lesion_rows(sys.argv[1], sys.argv[2]) if np.isfinite(l["cam"])]
    if not les:
        sys.exit("no lesion lies in a breast with a map")
    y = np.array([l["malignant"] for l in les])
    cyst = np.array([l["cyst"] for l in les])
    col = {k: np.array([l[k] for l in les]) for k in ("cam", "uptake", "diameter")}
    print(f"lesions {len(les)}: malignant {y.sum()}, cysts {cyst.sum()}")
    print("AUROC as a malignancy score    CAM    uptake  diameter")
    for name, sel in (("all lesions", np.ones_like(y)), ("cysts left out", ~cyst)):
        sel = sel.astype(bool)
        a = [roc_auc_score(y[sel], col[k][sel]) for k in ("cam", "uptake", "diameter")]
        print(f"  {name:26s} {a[0]:.3f}   {a[1]:.3f}   {a[2]:.3f}")
    print("within a class (cysts left out)     rank corr. with diameter   rank regression on")
    print("                                       CAM     uptake          uptake  diameter")
    for name, sel in (("malignant", y), ("benign", ~y & ~cyst)):
        c, u, d = (rankdata(col[k][sel]) for k in ("cam", "uptake", "diameter"))
        z = lambda v: (v - v.mean()) / v.std()
        coef = np.linalg.lstsq(np.c_[z(u), z(d)], z(c), rcond=None)[0]
        print(f"  {name:9s} ({sel.sum():3d})                  {spearmanr(c, d)[0]:+.2f}"
              f"    {spearmanr(u, d)[0]:+.2f}           {coef[0]:+.2f}    {coef[1]:+.2f}")


if __name__ == "__main__":
    main()
