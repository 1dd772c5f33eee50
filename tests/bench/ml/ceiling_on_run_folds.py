#!/usr/bin/python3
"""The feature ceiling on a training run's own folds, next to the run's network, fold by fold.

    /usr/bin/python3 tests/bench/ml/ceiling_on_run_folds.py RUN

RUN is a finished `breastmsc-cli train` run: its cache (the prepared breasts), folds.json and
fold<k>/predictions.csv. For each of the run's test folds, the two references of
feature_ceiling.py are trained on the fold's training and validation patients and scored on its
test patients — the oracle (12 features at each annotated lesion centre, logistic regression,
breast = its most malignant lesion: perfect detection) and the no-detection random forest on 24
per-breast features — and printed beside the network's AUROC on the same breasts, with the
malignant breasts the network scores under 0.5 and what the oracle gives them. Where the oracle
finds a breast the network and the forest miss, the miss is one of detection, not of what the
lesion looks like.
"""
import csv
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

import feature_ceiling as fc  # noqa: E402


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    run = sys.argv[1]
    index, volumes = fc.load(os.path.join(run, "cache"), 0)
    y = np.array([b["label"] == "malignant" for b in index], int)
    pid = np.array([b["patient_id"] for b in index])
    side = [b["side"] for b in index]
    lesions = fc.lesion_table(index, volumes)
    breast_x = np.array([fc.breast_features(v) for v in volumes], float)
    folds = json.load(open(os.path.join(run, "folds.json")))
    network = {}
    for k in range(1, len(folds) + 1):
        path = os.path.join(run, f"fold{k}", "predictions.csv")
        for row in csv.DictReader(open(path)):
            network[(row["patient_id"], row["side"])] = float(row["probability"])

    aucs = {"oracle": [], "forest": [], "network": []}
    print(f"{run}: {len(folds)} folds, {len(y)} breasts ({y.sum()} malignant)")
    print(f"{'fold':>4s} {'oracle':>7s} {'forest':>7s} {'network':>8s}   malignant breasts the "
          "network scores < 0.5 (oracle p / network p)")
    for k, fold in enumerate(folds, 1):
        train = np.flatnonzero(np.isin(pid, fold["train"] + fold["validation"]))
        test = np.flatnonzero(np.isin(pid, fold["test"]))
        oracle = fc.oracle_scores(lesions, pid, train, test)
        forest = fc.forest_scores(breast_x, y, train, test)
        net = np.array([network[(pid[b], side[b])] for b in test])
        for name, score in (("oracle", oracle), ("forest", forest), ("network", net)):
            aucs[name].append(roc_auc_score(y[test], score))
        missed = [f"{pid[b]} {side[b]} {oracle[i]:.2f}/{net[i]:.2f}"
                  for i, b in enumerate(test) if y[b] == 1 and net[i] < 0.5]
        print(f"{k:4d} {aucs['oracle'][-1]:7.3f} {aucs['forest'][-1]:7.3f} "
              f"{aucs['network'][-1]:8.3f}   {', '.join(missed)}")
    print(f"mean {np.mean(aucs['oracle']):7.3f} {np.mean(aucs['forest']):7.3f} "
          f"{np.mean(aucs['network']):8.3f}   (std {np.std(aucs['oracle']):.3f}, "
          f"{np.std(aucs['forest']):.3f}, {np.std(aucs['network']):.3f})")


if __name__ == "__main__":
    main()
