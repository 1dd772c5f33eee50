#!/usr/bin/python3
"""Where two runs differ: paired_auroc.py's comparison on two subgroups of the benign breasts.

    /usr/bin/python3 tests/bench/ml/subgroup_auroc.py RUN_A RUN_B COHORT [RUN_A2 RUN_B2 COHORT2 ...]
                     [--resamples 2000] [--seed 1]

For each cohort (its folder, for lesions.csv, and two finished runs on the same folds), the
benign breasts are split into those that hold an annotated lesion (a centre on their side:
x_mm > 0 is the patient's left, the cohort format's LPS convention) and those that hold none.
For each subgroup it prints, per cohort, the AUROC of A and of B over every malignant breast
and that subgroup's benign ones, then the mean of the cohorts' differences A - B with a 95 %
interval from a bootstrap redrawing each cohort's patients (paired_auroc.py's): whether A's
lead lies in telling cancers from benign lesions or from lesion-free breasts.
"""

import copy
import csv
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from paired_auroc import Pair, arguments, mean_difference  # noqa: E402

GROUPS = ("benign with a lesion", "benign without a lesion")


def lesion_sides(cohort):
    """{(patient, side)} of the breasts that hold an annotated lesion centre."""
    path = pathlib.Path(cohort) / "lesions.csv"
    sides = set()
    try:
        with open(path, newline="") as handle:
            for r in csv.DictReader(handle):
                sides.add((r["patient_id"], "left" if float(r["x_mm"]) > 0 else "right"))
    except (OSError, KeyError, ValueError) as e:
        sys.exit(f"{path}: cannot read lesion centres ({e})")
    return sides


def subgroups(pair, cohort):
    """The pair restricted to the malignant breasts and each group's benign ones."""
    holding = lesion_sides(cohort)
    malignant = {k for k, (label, _) in pair.first.items() if label}
    missed = [k for k in malignant if k not in holding]
    if missed:
        sys.exit(f"{cohort}: malignant breast {missed[0]} holds no lesion centre in lesions.csv "
                 "(not this run's cohort, or lesions not in LPS)")
    benign = {k for k in pair.first if k not in malignant}
    groups = []
    for group in (benign & holding, benign - holding):
        restricted = copy.copy(pair)
        restricted.keep = malignant | group
        groups.append((restricted, len(group)))
    return groups


def main():
    triples, resamples, seed = arguments(__doc__, 3, "RUN_A RUN_B COHORT",
                                         "triples of run A, run B and their cohort")
    split = [subgroups(Pair(run_a, run_b), cohort) for run_a, run_b, cohort in triples]
    for g, name in enumerate(GROUPS):
        pairs = [groups[g][0] for groups in split if groups[g][1] > 0]
        print(f"malignant against {name}")
        for (run_a, _, cohort), groups in zip(triples, split):
            pair, count = groups[g]
            if count == 0:
                print(f"  {cohort}: none")
                continue
            auc_a, auc_b = pair.aurocs(pair.patients)
            print(f"  {cohort}: {count} benign, A {auc_a:.3f}  B {auc_b:.3f}  A - B "
                  f"{auc_a - auc_b:+.3f}")
        if not pairs:
            print("  no cohort has such benign breasts")
            continue
        mean, low, high, worse = mean_difference(pairs, resamples, seed)
        print(f"  over {len(pairs)} cohorts: mean A - B {mean:+.3f}, 95 % bootstrap interval "
              f"[{low:+.3f}, {high:+.3f}], share of resamples with A <= B {worse:.2f}")


if __name__ == "__main__":
    main()
