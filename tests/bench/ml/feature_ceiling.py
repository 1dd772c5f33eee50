#!/usr/bin/python3
"""How high can a breast-level AUROC go on a cohort? Hand-made features, 5-fold CV by patient.

    /usr/bin/python3 tests/bench/ml/feature_ceiling.py RUN/cache [--patients N] [--seeds K]

RUN/cache is the prepared cohort a `breastmsc-cli train` run writes (index.json plus one float32
file per breast: channels pre, post1-4, T2 on the breast grid, the lesions' voxel indices), so
the features see exactly what the network sees. Four references, each 5-fold cross-validated
by patient (stratified by "patient has a malignant breast", both breasts in one fold), printed
as mean ± std of the test folds, pooled out-of-fold AUROC, and the pooled AUROC over K splits:
  oracle     perfect detection: 12 features at each annotated lesion centre (enhancement, washout,
             T2, pre, diameter, texture), a per-lesion logistic regression, breast = its most
             malignant lesion. What an image model could reach if it always found the lesions.
  features   no detection: 24 per-breast features (enhancement maxima and percentiles, washout,
             T2 and pre at the most enhancing voxels, counts, component sizes), logistic
             regression and random forest. What a model that must find the lesions itself gets
             from features a radiologist would name.
  peak       no detection, no training: the breast's highest early enhancement (post1 - pre at
             its most enhancing voxel), the first of those features alone: what the height of
             the contrast uptake gives by itself.
Compare the network's cross-validated AUROC (doc/RESULTS.md) with these.
"""
import argparse
import json
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np  # noqa: E402
from scipy import ndimage  # noqa: E402
from sklearn.ensemble import RandomForestClassifier  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402
from sklearn.model_selection import GroupKFold, StratifiedKFold  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

EPS = 0.02
C_GRID = [0.01, 0.03, 0.1, 0.3, 1, 3, 10]


def load(cache, patients):
    index = json.load(open(os.path.join(cache, "index.json")))["breasts"]
    ids = sorted({b["patient_id"] for b in index})[:patients] if patients else None
    index = [b for b in index if ids is None or b["patient_id"] in ids]
    volumes = [np.fromfile(os.path.join(cache, b["file"]), dtype=np.float32).reshape(b["shape"])
               for b in index]
    return index, volumes


def lesion_features(v, lesion):
    pre, p1, p4, t2 = v[0], v[1], v[4], v[5]
    enh = p1 - pre
    x, y, z = (min(max(int(round(c)), 0), n - 1) for c, n in zip(lesion["index"], enh.shape))
    near = (slice(max(x - 1, 0), x + 2), slice(max(y - 1, 0), y + 2), slice(z, z + 1))
    wide = (slice(max(x - 2, 0), x + 3), slice(max(y - 2, 0), y + 3), slice(max(z - 1, 0), z + 2))
    e, pr = enh[near].mean(), pre[near].mean()
    centre = enh[x, y, z]
    return [e, (p4[near].mean() - p1[near].mean()) / (abs(e) + EPS), t2[near].mean(), pr,
            lesion["diameter_mm"], p1[wide].std(), enh[wide].std(), centre,
            (p4[x, y, z] - p1[x, y, z]) / (abs(centre) + EPS), t2[x, y, z], e / (abs(pr) + EPS),
            enh[wide].max()]


def breast_features(v):
    pre, p1, p4, t2 = v[0], v[1], v[4], v[5]
    enh = p1 - pre
    smooth = lambda a: ndimage.uniform_filter(a, size=(3, 3, 1), mode="constant")  # noqa: E731
    senh, st2 = smooth(enh), smooth(t2)
    washout = smooth(p4 - p1) / (np.abs(senh) + EPS)
    f = [enh.max(), np.percentile(enh, 99.9), np.percentile(enh, 99),
         senh.max(), np.percentile(senh, 99.9), np.percentile(senh, 99)]
    order = np.argsort(senh.ravel())[::-1]
    for k in (1, 5, 20):
        top = order[:k]
        f += [washout.ravel()[top].mean(), st2.ravel()[top].mean(), pre.ravel()[top].mean()]
    f += [np.log1p((senh > t).sum()) for t in (0.1, 0.2, 0.3, 0.4)]
    for w in (-0.05, 0.05):
        m = washout < w
        f.append(senh[m].max() if m.any() else 0.0)
    tissue = t2 > 0.05
    dark = st2 < (np.percentile(t2[tissue], 75) if tissue.any() else np.inf)
    f.append(np.log1p(((senh > 0.2) & dark).sum()))
    labels, n = ndimage.label(senh > 0.2)
    f += [np.log1p(np.bincount(labels.ravel())[1:].max()) if n else 0.0, n]
    return f


def logistic(C):
    return make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=5000))


def fit_logistic(X, y, groups):
    """Logistic regression with C chosen by a 4-fold inner CV over patients."""
    best, best_c = -1.0, 1.0
    for c in C_GRID:
        p = np.zeros(len(y))
        for tr, te in GroupKFold(n_splits=4).split(X, y, groups):
            if len(set(y[tr])) < 2:
                break
            p[te] = logistic(c).fit(X[tr], y[tr]).predict_proba(X[te])[:, 1]
        else:
            if len(set(y)) == 2 and roc_auc_score(y, p) > best:
                best, best_c = roc_auc_score(y, p), c
    return logistic(best_c).fit(X, y)


def lesion_table(index, volumes):
    """Features, labels and breast numbers of every annotated lesion, as arrays."""
    x, y, breast = [], [], []
    for i, (b, v) in enumerate(zip(index, volumes)):
        for lesion in b["lesions"]:
            x.append(lesion_features(v, lesion))
            y.append(lesion["label"] == "malignant")
            breast.append(i)
    return np.array(x), np.array(y, int), np.array(breast)


def oracle_scores(lesions, pid, train, test):
    """Perfect detection: a per-lesion logistic regression fitted on the lesions of the `train`
    breasts; each `test` breast scores its most malignant lesion (-1 without lesions)."""
    lesion_x, lesion_y, lesion_b = lesions
    m_tr, m_te = np.isin(lesion_b, train), np.isin(lesion_b, test)
    model = fit_logistic(lesion_x[m_tr], lesion_y[m_tr], pid[lesion_b[m_tr]])
    p = model.predict_proba(lesion_x[m_te])[:, 1] if m_te.any() else []
    score = {b: -1.0 for b in test}  # a breast without lesions: the lowest score
    for b, s in zip(lesion_b[m_te], p):
        score[b] = max(score[b], s)
    return np.array([score[b] for b in test])


def forest_scores(breast_x, y, train, test):
    """No detection: a random forest on the per-breast features."""
    forest = RandomForestClassifier(n_estimators=300, min_samples_leaf=3, random_state=0)
    return forest.fit(breast_x[train], y[train]).predict_proba(breast_x[test])[:, 1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cache")
    parser.add_argument("--patients", type=int, default=0, help="only the first N patients")
    parser.add_argument("--seeds", type=int, default=3, help="splits for the pooled mean")
    args = parser.parse_args()
    index, volumes = load(args.cache, args.patients)
    y = np.array([b["label"] == "malignant" for b in index], int)
    pid = np.array([b["patient_id"] for b in index])
    lesions = lesion_table(index, volumes)
    lesion_y = lesions[1]
    breast_x = np.array([breast_features(v) for v in volumes], float)

    def oracle(train, test):
        return oracle_scores(lesions, pid, train, test)

    def features_lr(train, test):
        return fit_logistic(breast_x[train], y[train], pid[train]).predict_proba(breast_x[test])[:, 1]

    def features_rf(train, test):
        return forest_scores(breast_x, y, train, test)

    def peak(train, test):
        return breast_x[test, 0]

    patients = np.array(sorted(set(pid)))
    has_malignant = np.array([y[pid == p].max() for p in patients])

    def evaluate(score):
        pooled, first = [], None
        for seed in range(args.seeds):
            aucs, scores, labels = [], [], []
            for tr, te in StratifiedKFold(5, shuffle=True, random_state=seed).split(
                    patients, has_malignant):
                train = np.flatnonzero(np.isin(pid, patients[tr]))
                test = np.flatnonzero(np.isin(pid, patients[te]))
                s = score(train, test)
                aucs.append(roc_auc_score(y[test], s))
                scores.append(s)
                labels.append(y[test])
            pooled.append(roc_auc_score(np.concatenate(labels), np.concatenate(scores)))
            first = first or (np.mean(aucs), np.std(aucs))
        return first, pooled

    print(f"feature ceiling: {args.cache}, {len(patients)} patients, {len(y)} breasts "
          f"({y.sum()} malignant), {len(lesion_y)} lesions ({lesion_y.sum()} malignant)")
    print(f"  {'reference':44s} {'5 folds (split 0)':>18s} {'pooled':>7s} "
          f"{'pooled, ' + str(args.seeds) + ' splits':>20s}")
    for name, score in (("oracle: annotated lesions, logistic", oracle),
                        ("features, no detection: logistic", features_lr),
                        ("features, no detection: random forest", features_rf),
                        ("peak enhancement, no training", peak)):
        (mean, std), pooled = evaluate(score)
        print(f"  {name:44s} {mean:9.3f} ± {std:.3f} {pooled[0]:7.3f} "
              f"{np.mean(pooled):13.3f} ± {np.std(pooled):.3f}", flush=True)


if __name__ == "__main__":
    main()
