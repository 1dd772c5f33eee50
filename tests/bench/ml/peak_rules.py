#!/usr/bin/python3
"""Where is a breast's "peak"? Rules for finding the voxel whose curve the head reads (peak_curve).

    /usr/bin/python3 tests/bench/ml/peak_rules.py NAME=RUN/cache [NAME=RUN/cache ...]

For each prepared cohort (the cache a `breastmsc-cli train` run writes, see feature_ceiling.py)
and each rule, the voxel of the breast where the rule's map is highest, and there the six input
values (pre, the four subtractions, T2). Printed per rule as CURVE/PEAK: CURVE is a logistic
regression on those six values, 5-fold cross-validated by patient (stratified, both breasts in
one fold), the mean pooled out-of-fold AUROC over 3 splits; PEAK is the AUROC of post1 - pre at
that voxel alone, no training. The network reads the same curve per window (run 46); this asks,
without training, which rule keeps the cue on cohorts from different tools (doc/RESULTS-run-46.md).

Rules (uptake = post1 - pre):
  raw          the uptake itself (what ResNet3dBackbone::curveAtPeak does)
  mean331      the uptake smoothed 3 x 3 x 1 (mean) before the argmax
  min221       the uptake's minimum over 2 x 2 x 1 (a peak must be two voxels wide)
  min331       ... over 3 x 3 x 1
  median331    the 3 x 3 x 1 median
  rel20        uptake / max(pre, 0.2): relative enhancement
  cut6         the uptake with the crop's last 6 rows (posterior, y) left out
  cut10        ... the last 10 rows
  wall20       per column (x, z), the run of enhancing voxels (uptake > 0.2 x the breast's
               highest) that starts at the crop's last row left out: what enhances behind the
               breast and reaches back to the thorax, not a lesion in front of it
  wall30       ... enhancing above 0.3 x the highest
"""
import json
import os
import sys

os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np  # noqa: E402
from scipy import ndimage  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402


def without_posterior_rows(uptake, rows):
    kept = uptake.copy()
    kept[:, uptake.shape[1] - rows:, :] = -np.inf
    return kept


def posterior_runs(uptake, threshold):
    """io::clearPosteriorWall's rule, axes (x, y, z): True where the voxel and every voxel
    behind it (larger y) in its column enhance above `threshold`."""
    enhancing = uptake > threshold
    return np.flip(np.cumprod(np.flip(enhancing, axis=1), axis=1), axis=1).astype(bool)


def without_posterior_runs(uptake, fraction):
    attached = posterior_runs(uptake, fraction * uptake.max())
    if attached.all():
        return uptake
    kept = uptake.copy()
    kept[attached] = -np.inf
    return kept


RULES = {
    "raw": lambda v, u: u,
    "mean331": lambda v, u: ndimage.uniform_filter(u, size=(3, 3, 1), mode="constant"),
    "min221": lambda v, u: ndimage.grey_erosion(u, size=(2, 2, 1)),
    "min331": lambda v, u: ndimage.grey_erosion(u, size=(3, 3, 1)),
    "median331": lambda v, u: ndimage.median_filter(u, size=(3, 3, 1)),
    "rel20": lambda v, u: u / np.maximum(v[0], 0.2),
    "cut6": lambda v, u: without_posterior_rows(u, 6),
    "cut10": lambda v, u: without_posterior_rows(u, 10),
    "wall20": lambda v, u: without_posterior_runs(u, 0.2),
    "wall30": lambda v, u: without_posterior_runs(u, 0.3),
}


def peak_voxel(volume, rule):
    """(x, y, z) of the breast (6, X, Y, Z) where rule(volume, post1 - pre) is highest."""
    uptake = volume[1] - volume[0]
    return np.unravel_index(np.argmax(rule(volume, uptake)), uptake.shape)


def curve_at(volume, at):
    """pre, the four subtractions and T2 at voxel `at`: the six values the head reads."""
    pre = volume[0][at]
    return [pre] + [volume[k][at] - pre for k in range(1, 5)] + [volume[5][at]]


def load(cache):
    try:
        index = json.load(open(os.path.join(cache, "index.json")))["breasts"]
        volumes = [np.fromfile(os.path.join(cache, b["file"]), dtype=np.float32).reshape(b["shape"])
                   for b in index]
    except (OSError, ValueError, KeyError) as e:
        sys.exit(f"{cache}: not a prepared cohort ({e})")
    return index, volumes


def cross_validated(features, labels, patients):
    ids = sorted(set(patients))
    per_patient = np.array([labels[patients == p].max() for p in ids])
    aurocs = []
    for seed in range(3):
        scores = np.zeros(len(labels))
        for train, _ in StratifiedKFold(5, shuffle=True, random_state=seed).split(ids, per_patient):
            inside = np.isin(patients, [ids[k] for k in train])
            model = make_pipeline(StandardScaler(), LogisticRegression(C=0.3, max_iter=5000))
            model.fit(features[inside], labels[inside])
            scores[~inside] = model.decision_function(features[~inside])
        aurocs.append(roc_auc_score(labels, scores))
    return float(np.mean(aurocs))


def main():
    if len(sys.argv) < 2 or any("=" not in a for a in sys.argv[1:]):
        sys.exit(__doc__)
    print("cohort  " + "  ".join(f"{r:>11}" for r in RULES) + "   (curve/peak)")
    for name, cache in (a.split("=", 1) for a in sys.argv[1:]):
        index, volumes = load(cache)
        labels = np.array([b["label"] == "malignant" for b in index], dtype=int)
        patients = np.array([b["patient_id"] for b in index])
        cells = []
        for rule in RULES.values():
            curves = []
            for v in volumes:
                curves.append(curve_at(v, peak_voxel(v, rule)))
            curves = np.array(curves)
            cells.append(f"{cross_validated(curves, labels, patients):.3f}/"
                         f"{roc_auc_score(labels, curves[:, 1]):.3f}")
        print(f"{name:<7} " + "  ".join(cells), flush=True)


if __name__ == "__main__":
    main()
