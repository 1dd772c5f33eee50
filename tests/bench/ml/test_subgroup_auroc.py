#!/usr/bin/python3
"""subgroup_auroc.py on made-up runs whose subgroup AUROCs are worked out by hand.

    /usr/bin/python3 tests/bench/ml/test_subgroup_auroc.py
"""

import pathlib
import sys
import tempfile
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from test_paired_auroc import run_script, write_run  # noqa: E402  (its four patients)

SCRIPT = pathlib.Path(__file__).parent / "subgroup_auroc.py"
# The cancers (P1 and P2 left) and a benign lesion in P3's left breast (x_mm > 0: left, LPS);
# the other five benign breasts hold none.
LESIONS = ("patient_id,x_mm,y_mm,z_mm,label\n"
           "P1,50,0,0,malignant\nP2,40,0,0,malignant\nP3,30,0,0,benign\n")


def run(*args):
    return run_script(SCRIPT, *args)


class SubgroupAuroc(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        root = pathlib.Path(self.tmp.name)
        self.cohort = root / "cohort"
        self.cohort.mkdir()
        (self.cohort / "lesions.csv").write_text(LESIONS)
        # A ranks the benign lesion below both cancers (1.0) and one lesion-free breast above
        # the second cancer (9 of 10 pairs, 0.9); B ranks the benign lesion between the cancers
        # (1 of 2, 0.5) and every lesion-free breast below them (1.0).
        a = {("P1", "left"): 0.9, ("P2", "left"): 0.8, ("P3", "left"): 0.1,
             ("P1", "right"): 0.2, ("P2", "right"): 0.3, ("P3", "right"): 0.85,
             ("P4", "left"): 0.1, ("P4", "right"): 0.1}
        b = {**{k: 0.1 for k in a}, ("P1", "left"): 0.9, ("P2", "left"): 0.8,
             ("P3", "left"): 0.85}
        self.a, self.b = root / "a", root / "b"
        write_run(self.a, a)
        write_run(self.b, b)

    def tearDown(self):
        self.tmp.cleanup()

    def test_subgroups(self):
        out = run(self.a, self.b, self.cohort)
        self.assertEqual(out.returncode, 0, out.stderr)
        with_lesion, without = out.stdout.split("malignant against benign without a lesion")
        self.assertIn("1 benign, A 1.000  B 0.500  A - B +0.500", with_lesion)
        self.assertIn("over 1 cohorts: mean A - B +0.500", with_lesion)
        self.assertIn("5 benign, A 0.900  B 1.000  A - B -0.100", without)
        self.assertIn("over 1 cohorts: mean A - B -0.100", without)

    def test_cancers_split_by_size(self):
        # P1's cancer 8 mm across (diameter_mm), P2's 4 mm (radius_mm 2, the other tool's
        # column): under 6 mm only P2 left (0.8 in both runs), which A ranks above the benign
        # lesion (B below it, 0.85) and below one of the five lesion-free breasts (0.85).
        (self.cohort / "lesions.csv").write_text(
            "patient_id,x_mm,y_mm,z_mm,label,diameter_mm,radius_mm\n"
            "P1,50,0,0,malignant,8,\nP2,40,0,0,malignant,,2\nP3,30,0,0,benign,,\n")
        out = run(self.a, self.b, self.cohort, "--cancer-mm", "6")
        self.assertEqual(out.returncode, 0, out.stderr)
        sections = out.stdout.split("cancers ")[1:]
        self.assertEqual([s.splitlines()[0] for s in sections],
                         ["under 6 mm against benign with a lesion",
                          "under 6 mm against benign without a lesion",
                          "of 6 mm or more against benign with a lesion",
                          "of 6 mm or more against benign without a lesion"])
        self.assertIn("1 malignant, 1 benign, A 1.000  B 0.000  A - B +1.000", sections[0])
        self.assertIn("1 malignant, 5 benign, A 0.800  B 1.000  A - B -0.200", sections[1])
        self.assertIn("1 malignant, 1 benign, A 1.000  B 1.000  A - B +0.000", sections[2])
        self.assertIn("1 malignant, 5 benign, A 1.000  B 1.000  A - B +0.000", sections[3])
        # Without a size for a cancer the split cannot be made: said, with the file.
        (self.cohort / "lesions.csv").write_text(LESIONS)
        out = run(self.a, self.b, self.cohort, "--cancer-mm", "6")
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("lesions.csv: --cancer-mm needs each malignant lesion's diameter_mm",
                      out.stderr)
        # A cancer breast whose only annotated centre is benign has no size: said, not counted
        # as a small cancer.
        (self.cohort / "lesions.csv").write_text(
            "patient_id,x_mm,y_mm,z_mm,label,diameter_mm\n"
            "P1,50,0,0,malignant,8\nP2,40,0,0,benign,4\nP3,30,0,0,benign,5\n")
        out = run(self.a, self.b, self.cohort, "--cancer-mm", "6")
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("malignant breast ('P2', 'left') holds only benign lesion centres",
                      out.stderr)

    def test_a_group_no_cohort_has(self):
        # Every benign breast holds a lesion: the second group is empty, said so, no crash.
        rows = "".join(f"{p},{x},0,0,benign\n" for p in ("P1", "P2", "P3", "P4")
                       for x in (10, -10))
        (self.cohort / "lesions.csv").write_text(LESIONS + rows)
        out = run(self.a, self.b, self.cohort)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("6 benign, A ", out.stdout)
        self.assertIn("no cohort has such breasts", out.stdout)

    def test_bad_arguments(self):
        out = run(self.a, self.b)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("give triples", out.stderr)
        # A cancer without a lesion centre on its side: the wrong cohort, named.
        (self.cohort / "lesions.csv").write_text(LESIONS.replace("P2,40", "P2,-40"))
        out = run(self.a, self.b, self.cohort)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("holds no lesion centre", out.stderr)
        self.assertIn(str(self.cohort), out.stderr)
        (self.cohort / "lesions.csv").write_text("patient_id,x\nP1,oops\n")
        out = run(self.a, self.b, self.cohort)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("lesions.csv: cannot read lesion centres", out.stderr)


if __name__ == "__main__":
    unittest.main()
