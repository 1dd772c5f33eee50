#!/usr/bin/python3
"""Which breasts cost a cross-validated run its AUROC, and what lesions they hold.

    /usr/bin/python3 tests/bench/ml/error_list.py RUN [--cohort DIR] [--top 12] [--split-mm 6]

Reads every fold's predictions.csv of a finished `breastmsc-cli train` run (the out-of-fold
probability of each breast) and RUN/cache/index.json (the lesions inside each prepared breast:
label and diameter). For each breast it counts the misordered pairs it takes part in (a
malignant breast scored at or below a benign one; 1 - AUROC is their share of all pairs) and
prints the breasts that cost the most, with their probability and lesions. With --cohort, extra
columns of the cohort's lesions.csv (the product's generator writes `curve` and `kind`) are
added to each lesion, matched by patient and diameter. Last, the malignant breasts are split by
the diameter of their largest malignant lesion (below --split-mm, and at or above it) and each
group's AUROC against all benign breasts is printed: what small cancers cost the run.
"""

import argparse
import csv
import json
import pathlib
import sys


def predictions(run):
    files = sorted(pathlib.Path(run).glob("fold*/predictions.csv"))
    if not files:
        sys.exit(f"{run}: no fold*/predictions.csv (not a finished training run)")
    rows = []
    for f in files:
        with open(f, newline="") as handle:
            for r in csv.DictReader(handle):
                try:
                    rows.append({"key": (r["patient_id"], r["side"]),
                                 "malignant": r["label"] == "malignant",
                                 "p": float(r["probability"])})
                except (KeyError, ValueError) as e:
                    sys.exit(f"{f}: malformed row {r} ({e})")
    return rows


def lesions_of(run):
    index_file = pathlib.Path(run) / "cache" / "index.json"
    try:
        breasts = json.loads(index_file.read_text())["breasts"]
        return {(b["patient_id"], b["side"]): b.get("lesions", []) for b in breasts}
    except (OSError, ValueError, KeyError) as e:
        sys.exit(f"{index_file}: cannot read the prepared cohort's index ({e})")


def extra_columns(cohort):
    """{(patient, diameter text): {column: value}} of lesions.csv columns beyond the format's."""
    path = pathlib.Path(cohort) / "lesions.csv"
    known = {"patient_id", "x_mm", "y_mm", "z_mm", "label", "diameter_mm", "radius_mm"}
    extra = {}
    try:
        with open(path, newline="") as handle:
            for r in csv.DictReader(handle):
                # The size as the trainer read it: diameter_mm, else twice radius_mm.
                size = float(r["diameter_mm"]) if r.get("diameter_mm") else 2 * float(r["radius_mm"])
                key = (r["patient_id"], f"{size:.1f}")
                extra[key] = {k: v for k, v in r.items() if k not in known}
    except (OSError, KeyError, ValueError) as e:
        sys.exit(f"{path}: cannot read ({e})")
    return extra


def auroc(positives, negatives):
    """Mann-Whitney AUROC, ties counted half; None without both classes."""
    if not positives or not negatives:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def size_split(rows, lesions, split_mm):
    """Lines: the AUROC of malignant breasts with a largest cancer below / at or above split_mm."""
    benign = [r["p"] for r in rows if not r["malignant"]]
    groups = {"below": [], "above": [], "unknown": []}
    for r in rows:
        if not r["malignant"]:
            continue
        sizes = [l["diameter_mm"] for l in lesions.get(r["key"], []) if l["label"] == "malignant"]
        group = "unknown" if not sizes else "below" if max(sizes) < split_mm else "above"
        groups[group].append(r["p"])
    names = {"below": f"largest cancer < {split_mm:g} mm", "above": f">= {split_mm:g} mm",
             "unknown": "no malignant lesion annotated"}
    lines = []
    for group, probabilities in groups.items():
        if group == "unknown" and not probabilities:
            continue
        a = auroc(probabilities, benign)
        figure = "-" if a is None else f"{a:.3f}"
        lines.append(f"  {names[group]:32} {len(probabilities):4d} breasts, AUROC {figure}")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run")
    parser.add_argument("--cohort")
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--split-mm", type=float, default=6.0)
    a = parser.parse_args()
    rows = predictions(a.run)
    lesions = lesions_of(a.run)
    extra = extra_columns(a.cohort) if a.cohort else {}
    malignant = [r["p"] for r in rows if r["malignant"]]
    benign = [r["p"] for r in rows if not r["malignant"]]
    if not malignant or not benign:
        sys.exit(f"{a.run}: the predictions hold one class only")
    for r in rows:
        r["cost"] = (sum(b >= r["p"] for b in benign) if r["malignant"]
                     else sum(m <= r["p"] for m in malignant))
    pairs = len(malignant) * len(benign)
    misordered = sum(r["cost"] for r in rows if r["malignant"])
    print(f"{len(rows)} breasts, {misordered} of {pairs} pairs misordered "
          f"(pooled AUROC about {1 - misordered / pairs:.3f}, ties counted as misordered)")
    print(f"{'patient':10} {'side':6} {'label':10} {'prob':>6} {'pairs':>6}  lesions")
    for r in sorted(rows, key=lambda r: -r["cost"])[:a.top]:
        patient, side = r["key"]
        described = []
        for lesion in lesions.get(r["key"], []):
            d = f"{lesion['diameter_mm']:.1f}"
            more = extra.get((patient, d), {})
            described.append(" ".join([lesion["label"], d + " mm", *more.values()]))
        print(f"{patient:10} {side:6} {'malignant' if r['malignant'] else 'benign':10} "
              f"{r['p']:6.3f} {r['cost']:6d}  {'; '.join(described) or '-'}")

    print(f"malignant breasts against the {len(benign)} benign, by their largest cancer:")
    print("\n".join(size_split(rows, lesions, a.split_mm)))


if __name__ == "__main__":
    main()
