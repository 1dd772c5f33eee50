#!/usr/bin/python3
"""Does the input's channel scale stop a network from seeing contrast uptake? A linear probe.

    /usr/bin/python3 tests/bench/ml/scale_probe.py RUN/cache [--epochs 20] [--folds 5]

The smallest image model that can find the most enhancing spot of a breast: one 1×1×1
convolution over the six input channels (pre, post1−pre … post4−pre, T2, as `input:
subtractions`), the breast's logit the maximum over its voxels, trained with Adam on the
breasts of RUN/cache (what `breastmsc-cli train` prepares) and cross-validated 5-fold by patient
as feature_ceiling.py does. Twice: on the channels as they are, and with each channel divided by
its standard deviation over the training breasts (`input_scaling: channel`). It prints the test
AUROC of each fold and their mean ± std for both, next to the breast's plain maximum of
post1 − pre (no training).
"""
import argparse
import json
import os

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold


def load(cache):
    index = json.load(open(os.path.join(cache, "index.json")))["breasts"]
    v = np.stack([np.fromfile(os.path.join(cache, b["file"]), dtype=np.float32).reshape(b["shape"])
                  for b in index])
    v[:, 1:5] -= v[:, 0:1]  # subtractions
    y = np.array([b["label"] == "malignant" for b in index], int)
    return v, y, np.array([b["patient_id"] for b in index])


def probe(x, y, train, test, epochs, scaled, seed):
    torch.manual_seed(seed)
    scale = 1.0 / x[train].std(axis=(0, 2, 3, 4)) if scaled else np.ones(x.shape[1], np.float32)
    s = torch.from_numpy(scale.astype(np.float32)).reshape(1, -1, 1, 1, 1)
    xs, target = torch.from_numpy(x), torch.tensor(y, dtype=torch.float32)
    conv = torch.nn.Conv3d(x.shape[1], 1, 1)
    optimiser = torch.optim.Adam(conv.parameters(), 1e-2)
    rng = np.random.RandomState(seed)
    for _ in range(epochs):
        order = rng.permutation(train)
        for i in range(0, len(order), 8):
            b = order[i:i + 8]
            logit = conv(xs[b] * s).flatten(1).max(1).values
            loss = F.binary_cross_entropy_with_logits(logit, target[b])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    with torch.no_grad():
        return conv(xs[test] * s).flatten(1).max(1).values.numpy()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cache")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--folds", type=int, default=5, help="test folds to run (of 5)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    x, y, pid = load(args.cache)
    patients = np.array(sorted(set(pid)))
    has_malignant = np.array([y[pid == p].max() for p in patients])
    splits = list(StratifiedKFold(5, shuffle=True, random_state=0).split(patients, has_malignant))
    plain_max = x[:, 1].reshape(len(y), -1).max(1)
    rows = {"max of post1 - pre, no training": [], "linear probe, channels as they are": [],
            "linear probe, input_scaling channel": []}
    for k, (tr, te) in enumerate(splits[:args.folds]):
        train = np.flatnonzero(np.isin(pid, patients[tr]))
        test = np.flatnonzero(np.isin(pid, patients[te]))
        rows["max of post1 - pre, no training"].append(roc_auc_score(y[test], plain_max[test]))
        for name, scaled in (("linear probe, channels as they are", False),
                             ("linear probe, input_scaling channel", True)):
            auc = roc_auc_score(y[test], probe(x, y, train, test, args.epochs, scaled, k))
            rows[name].append(auc)
        print(f"fold {k + 1}: " + ", ".join(f"{v[-1]:.3f}" for v in rows.values()), flush=True)
    print(f"scale probe: {args.cache}, {len(set(pid))} patients, {len(y)} breasts, "
          f"{args.epochs} epochs")
    for name, aucs in rows.items():
        print(f"  {name:40s} {np.mean(aucs):.3f} ± {np.std(aucs):.3f}  "
              + " ".join(f"{a:.3f}" for a in aucs))


if __name__ == "__main__":
    main()
