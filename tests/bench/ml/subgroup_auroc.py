#!/usr/bin/python3
"""Where two runs differ: paired_auroc.py's comparison on two subgroups of the benign breasts.

    /usr/bin/python3 tests/bench/ml/subgroup_auroc.py RUN_A RUN_B COHORT [RUN_A2 RUN_B2 COHORT2 ...]
                     [--cancer-mm MM] [--resamples 2000] [--seed 1]

For each cohort (its folder, for lesions.csv, and two finished runs on the same folds), the
benign breasts are split into those that hold an annotated lesion (a centre on their side:
x_mm > 0 is the patient's left, the cohort format's LPS convention) and those that hold none.
For each subgroup it prints, per cohort, the AUROC of A and of B over every malignant breast
and that subgroup's benign ones, then the mean of the cohorts' differences A - B with a 95 %
interval from a bootstrap redrawing each cohort's patients (paired_auroc.py's): whether A's
lead lies in telling cancers from benign lesions or from lesion-free breasts.

With --cancer-mm the malignant breasts are split too, by the diameter of their largest
malignant lesion (lesions.csv's diameter_mm, or twice its radius_mm, as `cam` reads them):
under MM and MM or more, each against both benign subgroups — which cancers a lead or a lag
comes from.
"""

import copy
import csv
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from paired_auroc import Pair, arguments, mean_difference  # noqa: E402

BENIGN = ("benign with a lesion", "benign without a lesion")


def cancer_diameter(row, path):
    """A malignant lesion's diameter in mm: its diameter_mm, or twice its radius_mm."""
    if row.get("diameter_mm"):
        return float(row["diameter_mm"])
    if row.get("radius_mm"):
        return 2 * float(row["radius_mm"])
    sys.exit(f"{path}: --cancer-mm needs each malignant lesion's diameter_mm or radius_mm")


def read_lesions(cohort, sizes):
    """{(patient, side): its largest cancer's diameter in mm (0 unless `sizes`), None where it
    holds benign lesions only} of the breasts that hold an annotated lesion centre."""
    path = pathlib.Path(cohort) / "lesions.csv"
    breasts = {}
    try:
        with open(path, newline="") as handle:
            for r in csv.DictReader(handle):
                cancers = breasts.setdefault(
                    (r["patient_id"], "left" if float(r["x_mm"]) > 0 else "right"), [])
                if r["label"] == "malignant":
                    cancers.append(cancer_diameter(r, path) if sizes else 0.0)
    except (OSError, KeyError, ValueError) as e:
        sys.exit(f"{path}: cannot read lesion centres ({e})")
    return {side: max(cancers) if cancers else None for side, cancers in breasts.items()}


def subgroups(pair, cohort, cancer_mm):
    """[(name, the pair restricted to a group of malignant and a group of benign breasts, the
    malignant count, the benign count)]: every malignant breast against each benign subgroup, or
    with `cancer_mm` those whose largest cancer is under it and those at or over it."""
    lesions = read_lesions(cohort, cancer_mm is not None)
    malignant = {k for k, (label, _) in pair.first.items() if label}
    missed = [k for k in malignant if k not in lesions]
    if missed:
        sys.exit(f"{cohort}: malignant breast {missed[0]} holds no lesion centre in lesions.csv "
                 "(not this run's cohort, or lesions not in LPS)")
    cancers = [("malignant", malignant)]
    if cancer_mm is not None:
        unsized = [k for k in malignant if lesions[k] is None]
        if unsized:
            sys.exit(f"{cohort}: malignant breast {unsized[0]} holds only benign lesion centres "
                     "in lesions.csv: no cancer size for --cancer-mm")
        small = {k for k in malignant if lesions[k] < cancer_mm}
        cancers = [(f"cancers under {cancer_mm:g} mm", small),
                   (f"cancers of {cancer_mm:g} mm or more", malignant - small)]
    benign = {k for k in pair.first if k not in malignant}
    groups = []
    for cancer_name, cancer in cancers:
        for benign_name, group in zip(BENIGN, (benign & lesions.keys(), benign - lesions.keys())):
            restricted = copy.copy(pair)
            restricted.keep = cancer | group
            groups.append((f"{cancer_name} against {benign_name}", restricted, len(cancer),
                           len(group)))
    return groups


def main():
    triples, options = arguments(
        __doc__, 3, "RUN_A RUN_B COHORT", "triples of run A, run B and their cohort",
        [("--cancer-mm", {"type": float, "metavar": "MM",
                          "help": "also split the malignant breasts at this lesion diameter"})])
    split = [subgroups(Pair(run_a, run_b), cohort, options.cancer_mm)
             for run_a, run_b, cohort in triples]
    for g, (name, *_) in enumerate(split[0]):
        print(name)
        pairs = []
        for (run_a, _, cohort), groups in zip(triples, split):
            _, pair, cancers, count = groups[g]
            if count == 0 or cancers == 0:
                print(f"  {cohort}: none")
                continue
            pairs.append(pair)
            auc_a, auc_b = pair.aurocs(pair.patients)
            counts = f"{cancers} malignant, " if options.cancer_mm is not None else ""
            print(f"  {cohort}: {counts}{count} benign, A {auc_a:.3f}  B {auc_b:.3f}  A - B "
                  f"{auc_a - auc_b:+.3f}")
        if not pairs:
            print("  no cohort has such breasts")
            continue
        mean, low, high, worse = mean_difference(pairs, options.resamples, options.seed)
        print(f"  over {len(pairs)} cohorts: mean A - B {mean:+.3f}, 95 % bootstrap interval "
              f"[{low:+.3f}, {high:+.3f}], share of resamples with A <= B {worse:.2f}")


if __name__ == "__main__":
    main()
