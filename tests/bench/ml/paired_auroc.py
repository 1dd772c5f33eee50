#!/usr/bin/python3
"""Paired comparison of two cross-validated training runs on the same folds.

    /usr/bin/python3 tests/bench/ml/paired_auroc.py RUN_A RUN_B [--resamples 2000]

Reads every fold's predictions.csv of both runs (the out-of-fold probability of each breast),
checks that they hold the same breasts with the same labels, and prints the pooled AUROC of
each, their difference A - B, and a 95 % interval of the difference by a paired bootstrap over
patients (both breasts of a patient drawn together, the same draw for both runs). Where the
interval holds zero, the cohort cannot tell the two runs apart.
"""

import argparse
import csv
import pathlib
import random
import sys

from sklearn.metrics import roc_auc_score


def load_folds(run):
    """{(patient, side): (fold folder name, malignant?, probability)} of a finished run."""
    folds = sorted(pathlib.Path(run).glob("fold*/predictions.csv"))
    if not folds:
        sys.exit(f"{run}: no fold*/predictions.csv (not a finished training run)")
    rows = {}
    for f in folds:
        with open(f, newline="") as handle:
            for r in csv.DictReader(handle):
                try:
                    rows[(r["patient_id"], r["side"])] = (f.parent.name,
                                                         r["label"] == "malignant",
                                                         float(r["probability"]))
                except (KeyError, ValueError) as e:
                    sys.exit(f"{f}: malformed row {r} ({e})")
    return rows


def load(run):
    return {key: value[1:] for key, value in load_folds(run).items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run_a")
    parser.add_argument("run_b")
    parser.add_argument("--resamples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    a = parser.parse_args()
    first, second = load(a.run_a), load(a.run_b)
    if sorted(first) != sorted(second):
        sys.exit("the runs hold different breasts: not the same cohort and folds")
    if any(first[k][0] != second[k][0] for k in first):
        sys.exit("the runs label some breast differently: not the same cohort")
    patients = sorted({p for p, _ in first})
    breasts = {p: [k for k in first if k[0] == p] for p in patients}

    def aurocs(sample):
        keys = [k for p in sample for k in breasts[p]]
        y = [first[k][0] for k in keys]
        return (roc_auc_score(y, [first[k][1] for k in keys]),
                roc_auc_score(y, [second[k][1] for k in keys]))

    auc_a, auc_b = aurocs(patients)
    rng = random.Random(a.seed)
    differences = []
    while len(differences) < a.resamples:
        sample = [rng.choice(patients) for _ in patients]
        try:
            x, y = aurocs(sample)
        except ValueError:  # a draw with one class only
            continue
        differences.append(x - y)
    differences.sort()
    low = differences[int(0.025 * len(differences))]
    high = differences[int(0.975 * len(differences)) - 1]
    worse = sum(d <= 0 for d in differences) / len(differences)
    print(f"patients {len(patients)}, breasts {len(first)}")
    print(f"pooled AUROC  A {auc_a:.3f}  ({a.run_a})")
    print(f"pooled AUROC  B {auc_b:.3f}  ({a.run_b})")
    print(f"A - B {auc_a - auc_b:+.3f}, 95 % paired bootstrap interval [{low:+.3f}, {high:+.3f}], "
          f"share of resamples with A <= B {worse:.2f}")


if __name__ == "__main__":
    main()
