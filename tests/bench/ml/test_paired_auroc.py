#!/usr/bin/python3
"""paired_auroc.py on made-up runs whose AUROCs are worked out by hand.

    /usr/bin/python3 tests/bench/ml/test_paired_auroc.py
"""

import pathlib
import subprocess
import sys
import tempfile
import unittest

SCRIPT = pathlib.Path(__file__).parent / "paired_auroc.py"
# Four patients; the malignant breasts are P1 left and P2 left.
LABELS = {("P1", "left"): "malignant", ("P1", "right"): "benign",
          ("P2", "left"): "malignant", ("P2", "right"): "benign",
          ("P3", "left"): "benign", ("P3", "right"): "benign",
          ("P4", "left"): "benign", ("P4", "right"): "benign"}


def write_run(folder, probabilities):
    """Two folds (P1-P2, P3-P4), each with its predictions.csv."""
    for fold, patients in (("fold1", ("P1", "P2")), ("fold2", ("P3", "P4"))):
        (folder / fold).mkdir(parents=True)
        with open(folder / fold / "predictions.csv", "w") as f:
            f.write("patient_id,side,label,probability\n")
            for (p, side), label in LABELS.items():
                if p in patients:
                    f.write(f"{p},{side},{label},{probabilities[(p, side)]}\n")


def run_script(script, *args):
    """The script on the arguments, with few resamples: its completed process."""
    return subprocess.run([sys.executable, str(script), *map(str, args), "--resamples", "200"],
                          capture_output=True, text=True)


def run(*args):
    return run_script(SCRIPT, *args)


class PairedAuroc(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        root = pathlib.Path(self.tmp.name)
        perfect = {k: (0.9 if v == "malignant" else 0.1) for k, v in LABELS.items()}
        # One benign breast (P3 left) above one cancer (P2 left): 11 of 12 pairs, 0.917.
        one_wrong = {**perfect, ("P2", "left"): 0.6, ("P3", "left"): 0.7}
        # Two benign breasts above both cancers: 8 of 12 pairs, 0.667.
        two_wrong = {**perfect, ("P3", "left"): 0.95, ("P4", "right"): 0.95}
        self.a, self.b, self.c = root / "a", root / "b", root / "c"
        write_run(self.a, perfect)
        write_run(self.b, one_wrong)
        write_run(self.c, two_wrong)

    def tearDown(self):
        self.tmp.cleanup()

    def test_one_pair(self):
        out = run(self.a, self.b)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("pooled AUROC  A 1.000", out.stdout)
        self.assertIn("pooled AUROC  B 0.917", out.stdout)
        self.assertIn("A - B +0.083,", out.stdout)
        self.assertNotIn("over ", out.stdout)

    def test_pairs_and_their_mean(self):
        out = run(self.a, self.b, self.a, self.c)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("A - B +0.083,", out.stdout)
        self.assertIn("A - B +0.333,", out.stdout)
        # The mean of the cohorts' differences, (1/12 + 4/12) / 2.
        last = out.stdout.strip().splitlines()[-1]
        self.assertTrue(last.startswith("over 2 cohorts: mean A - B +0.208, 95 % bootstrap"),
                        last)

    def test_bad_arguments(self):
        out = run(self.a, self.b, self.a)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("give the runs in pairs", out.stderr)
        empty = pathlib.Path(self.tmp.name) / "empty"
        empty.mkdir()
        out = run(self.a, empty)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("not a finished training run", out.stderr)


if __name__ == "__main__":
    unittest.main()
