#!/usr/bin/python3
"""Paired comparison of two cross-validated training runs on the same folds.

    /usr/bin/python3 tests/bench/ml/paired_auroc.py RUN_A RUN_B [RUN_A2 RUN_B2 ...] [--resamples 2000]

Reads every fold's predictions.csv of both runs (the out-of-fold probability of each breast),
checks that they hold the same breasts with the same labels, and prints the pooled AUROC of
each, their difference A - B, and a 95 % interval of the difference by a paired bootstrap over
patients (both breasts of a patient drawn together, the same draw for both runs). Where the
interval holds zero, the cohort cannot tell the two runs apart.

Given several pairs (one per cohort, A always the same kind of run), it also prints the mean of
the cohorts' differences with its 95 % interval, each resample drawing every cohort's patients
anew (a bootstrap stratified by cohort): whether A is above B over the cohorts together.
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


class Pair:
    """Two runs on the same cohort and folds, and their pooled AUROCs on a draw of patients."""

    def __init__(self, run_a, run_b):
        self.run_a, self.run_b = run_a, run_b
        self.first, self.second = load(run_a), load(run_b)
        if sorted(self.first) != sorted(self.second):
            sys.exit(f"{run_a} and {run_b} hold different breasts: not the same cohort and folds")
        if any(self.first[k][0] != self.second[k][0] for k in self.first):
            sys.exit(f"{run_a} and {run_b} label some breast differently: not the same cohort")
        self.patients = sorted({p for p, _ in self.first})
        self.breasts = {p: [k for k in self.first if k[0] == p] for p in self.patients}
        self.keep = None  # a set of breasts: the AUROCs count only these (subgroup_auroc.py)

    def aurocs(self, sample):
        keys = [k for p in sample for k in self.breasts[p] if self.keep is None or k in self.keep]
        y = [self.first[k][0] for k in keys]
        return (roc_auc_score(y, [self.first[k][1] for k in keys]),
                roc_auc_score(y, [self.second[k][1] for k in keys]))

    def resampled_difference(self, rng):
        """A - B on one bootstrap draw of the patients (redrawn while it holds one class)."""
        while True:
            sample = [rng.choice(self.patients) for _ in self.patients]
            try:
                x, y = self.aurocs(sample)
                return x - y
            except ValueError:  # a draw with one class only
                continue


def interval(differences):
    differences = sorted(differences)
    low = differences[int(0.025 * len(differences))]
    high = differences[int(0.975 * len(differences)) - 1]
    worse = sum(d <= 0 for d in differences) / len(differences)
    return low, high, worse


def mean_difference(pairs, resamples, seed):
    """The mean over the pairs (one per cohort) of the pooled A - B, and interval()'s figures
    for it from a bootstrap that redraws each cohort's patients."""
    mean = sum(x - y for x, y in (p.aurocs(p.patients) for p in pairs)) / len(pairs)
    rng = random.Random(seed)
    return (mean,) + interval([sum(p.resampled_difference(rng) for p in pairs) / len(pairs)
                               for _ in range(resamples)])


def arguments(doc, size, metavar, what, options=()):
    """The command line of a script taking folders in groups of `size`: (groups, the parsed
    options: resamples, seed and each (flag, argparse keywords) of `options`)."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("items", nargs="+", metavar=metavar, help=what)
    parser.add_argument("--resamples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    for flag, keywords in options:
        parser.add_argument(flag, **keywords)
    a = parser.parse_args()
    if len(a.items) % size:
        sys.exit(f"give {what}: {metavar} [...]")
    return [a.items[i:i + size] for i in range(0, len(a.items), size)], a


def main():
    groups, options = arguments(__doc__, 2, "RUN_A RUN_B", "the runs in pairs")
    resamples, seed = options.resamples, options.seed
    pairs = [Pair(run_a, run_b) for run_a, run_b in groups]
    for pair in pairs:
        auc_a, auc_b = pair.aurocs(pair.patients)
        rng = random.Random(seed)
        low, high, worse = interval([pair.resampled_difference(rng) for _ in range(resamples)])
        if len(pairs) > 1:
            print()
        print(f"patients {len(pair.patients)}, breasts {len(pair.first)}")
        print(f"pooled AUROC  A {auc_a:.3f}  ({pair.run_a})")
        print(f"pooled AUROC  B {auc_b:.3f}  ({pair.run_b})")
        print(f"A - B {auc_a - auc_b:+.3f}, 95 % paired bootstrap interval [{low:+.3f}, {high:+.3f}], "
              f"share of resamples with A <= B {worse:.2f}")
    if len(pairs) > 1:
        mean, low, high, worse = mean_difference(pairs, resamples, seed)
        print()
        print(f"over {len(pairs)} cohorts: mean A - B {mean:+.3f}, 95 % bootstrap interval "
              f"(patients redrawn within each cohort) [{low:+.3f}, {high:+.3f}], "
              f"share of resamples with A <= B {worse:.2f}")


if __name__ == "__main__":
    main()
