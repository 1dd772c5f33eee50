#!/usr/bin/python3
"""error_list.py on a small made-up run whose every figure is worked out by hand.

    /usr/bin/python3 tests/bench/ml/test_error_list.py
"""

import csv
import json
import pathlib
import subprocess
import sys
import tempfile
import unittest

SCRIPT = pathlib.Path(__file__).with_name("error_list.py")

# (patient, side, label, probability, [(lesion label, diameter mm)])
BREASTS = [
    ("P1", "left", "benign", 0.10, []),
    ("P1", "right", "benign", 0.20, [("benign", 9.0)]),
    ("P2", "left", "benign", 0.30, []),
    ("P2", "right", "malignant", 0.15, [("malignant", 3.5), ("benign", 12.0)]),
    ("P3", "left", "malignant", 0.90, [("malignant", 8.0)]),
    ("P3", "right", "malignant", 0.25, [("malignant", 4.0), ("malignant", 6.0)]),
]


def write_run(root, fold_rows=None):
    fold = root / "fold0"
    fold.mkdir(parents=True)
    with open(fold / "predictions.csv", "w", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["patient_id", "side", "label", "probability"])
        for row in fold_rows or [b[:4] for b in BREASTS]:
            w.writerow(row)
    (root / "cache").mkdir()
    index = {"breasts": [{"patient_id": p, "side": s, "label": l,
                          "lesions": [{"label": ll, "diameter_mm": d} for ll, d in lesions]}
                         for p, s, l, _, lesions in BREASTS]}
    (root / "cache" / "index.json").write_text(json.dumps(index))


def run(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)],
                          capture_output=True, text=True)


class ErrorList(unittest.TestCase):
    def test_costs_and_size_split(self):
        with tempfile.TemporaryDirectory() as tmp:
            root = pathlib.Path(tmp)
            write_run(root)
            out = run(root, "--top", 6)
            self.assertEqual(out.returncode, 0, out.stderr)
            lines = out.stdout.splitlines()
            # Misordered pairs: 0.15 is below 0.20 and 0.30, 0.25 below 0.30: 3 of 9.
            self.assertIn("6 breasts, 3 of 9 pairs misordered", lines[0])
            self.assertIn("about 0.667", lines[0])
            # The costliest first: the small cancer below two benign breasts, the benign breast
            # above two cancers; then the 6 mm cancer below one.
            costs = [(line.split()[0], line.split()[1], line.split()[4]) for line in lines[2:5]]
            self.assertCountEqual(costs[:2], [("P2", "right", "2"), ("P2", "left", "2")])
            self.assertEqual(costs[2][2], "1")
            # Largest cancer 3.5 mm (the 12 mm lesion is benign): 0.15 beats 0.10 only, 1/3.
            # At or above 6 mm: P3 left (8 mm, beats all 3) and P3 right (6 mm, beats 2): 5/6.
            split = "\n".join(lines[lines.index(
                "malignant breasts against the 3 benign, by their largest cancer:"):])
            self.assertRegex(split, r"largest cancer < 6 mm\s+1 breasts, AUROC 0.333")
            self.assertRegex(split, r">= 6 mm\s+2 breasts, AUROC 0.833")
            out = run(root, "--split-mm", 9)
            self.assertRegex(out.stdout, r"largest cancer < 9 mm\s+3 breasts, AUROC 0.667")
            self.assertRegex(out.stdout, r">= 9 mm\s+0 breasts, AUROC -")

    def test_bad_input_names_the_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            root = pathlib.Path(tmp)
            write_run(root, fold_rows=[("P1", "left", "benign", "not a number")])
            out = run(root)
            self.assertNotEqual(out.returncode, 0)
            self.assertIn("predictions.csv: malformed row", out.stderr)
            out = run(root / "missing")
            self.assertNotEqual(out.returncode, 0)
            self.assertIn("not a finished training run", out.stderr)


if __name__ == "__main__":
    unittest.main()
