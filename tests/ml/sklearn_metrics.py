"""Reference values for the metric tests, computed by scikit-learn on seeded fixtures.

Prints JSON: a list of cases, each with scores, labels, roc_auc_score and the ROC curve
(drop_intermediate=False, so every distinct threshold is a point).
"""
import json

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve

rng = np.random.default_rng(2026)
cases = []
for n, ties in [(10, False), (57, True), (400, True), (1000, False)]:
    labels = rng.integers(0, 2, n)
    scores = rng.normal(labels * 0.8, 1.0)
    if ties:
        scores = np.round(scores, 1)  # many ties across classes
    fpr, tpr, _ = roc_curve(labels, scores, drop_intermediate=False)
    cases.append({
        "scores": scores.tolist(),
        "labels": labels.tolist(),
        "auroc": float(roc_auc_score(labels, scores)),
        "fpr": fpr.tolist(),
        "tpr": tpr.tolist(),
    })
print(json.dumps(cases))
