#!/usr/bin/python3
"""The mean probability of finished cross-validated runs on the same folds, as one ensemble.

    /usr/bin/python3 tests/bench/ml/mean_of_runs.py RUN [RUN ...]

Reads every fold's predictions.csv of each run, checks that the runs hold the same breasts
with the same labels in the same test folds, averages each breast's probability over the runs
and prints the per-fold AUROC, their mean ± std and the pooled AUROC — what an ensemble of
the runs' networks (`"ensemble"`, `"ensemble_inputs"`) would read, without retraining.
"""

import statistics
import sys

from sklearn.metrics import roc_auc_score

from paired_auroc import load_folds


def main():
    runs = sys.argv[1:]
    if not runs or runs[0].startswith("-"):
        sys.exit(__doc__.strip())
    tables = [load_folds(r) for r in runs]
    for run, table in zip(runs[1:], tables[1:]):
        if {k: v[:2] for k, v in table.items()} != {k: v[:2] for k, v in tables[0].items()}:
            sys.exit(f"{run} and {runs[0]} differ in their breasts, labels or folds")
    folds = {}
    for key, (fold, label, _) in tables[0].items():
        p = statistics.mean(t[key][2] for t in tables)
        folds.setdefault(fold, ([], []))
        folds[fold][0].append(label)
        folds[fold][1].append(p)
    names = sorted(folds, key=lambda f: int(f[4:]))
    aurocs = [roc_auc_score(*folds[f]) for f in names]
    labels = [y for f in names for y in folds[f][0]]
    probabilities = [p for f in names for p in folds[f][1]]
    print(f"mean of {len(runs)} run(s): " + " ".join(runs))
    print("folds   " + " ".join(f"{a:.3f}" for a in aurocs))
    spread = statistics.stdev(aurocs) if len(aurocs) > 1 else 0.0
    print(f"AUROC   {statistics.mean(aurocs):.3f} ± {spread:.3f} (folds), "
          f"pooled {roc_auc_score(labels, probabilities):.3f}")


if __name__ == "__main__":
    main()
