#!/usr/bin/python3
"""wall_lesions.py on two made-up patients whose wall and lesions are placed by hand.

    /usr/bin/python3 tests/bench/ml/test_wall_lesions.py
"""

import csv
import pathlib
import subprocess
import sys
import tempfile
import unittest

import nibabel as nib
import numpy as np

HERE = pathlib.Path(__file__).parent
sys.path.insert(0, str(HERE))
import wall_lesions  # noqa: E402

SHAPE = (12, 10, 4)  # x, y (the last row, 9, is the crop's back), z
SPACING = (2.0, 2.0, 4.0)


def write_breast(folder, uptake):
    folder.mkdir(parents=True)
    affine = np.diag(SPACING + (1.0,))
    pre = np.full(SHAPE, 0.5, dtype=np.float32)
    nib.save(nib.Nifti1Image(pre, affine), folder / "pre.nii.gz")
    nib.save(nib.Nifti1Image(pre + uptake.astype(np.float32), affine), folder / "post1.nii.gz")


class WallLesions(unittest.TestCase):
    def test_rule_clears_runs_from_the_back_only(self):
        u = np.zeros(SHAPE)
        u[1, 8:10, 0] = 2.5   # a wall on the last two rows
        u[2, 5, 1] = 2.0      # a lesion in front, nothing enhancing behind it
        u[3, 6:10, 0] = 1.0   # a weaker wall reaching row 6
        cleared = wall_lesions.cleared_mask(u, 0.3 * 2.5)
        self.assertEqual(int(cleared.sum()), 6)
        self.assertTrue(cleared[1, 9, 0] and cleared[1, 8, 0] and cleared[3, 6, 0])
        self.assertFalse(cleared[2, 5, 1] or cleared[1, 7, 0])
        self.assertEqual(int(wall_lesions.cleared_mask(u, 0.5 * 2.5).sum()), 2)

    def test_counts_on_a_cohort(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = pathlib.Path(tmp)
            pp, cohort = tmp / "pp", tmp / "cohort"
            # P1 left (malignant): a 3 x 2 cancer on the crop's last rows, nothing else.
            a = np.zeros(SHAPE)
            a[4:7, 8:10, 1] = 1.0
            # P1 right (benign): a wall across the whole back (rows 8-9), a lesion in front.
            b = np.zeros(SHAPE)
            b[:, 8:10, :] = 0.5
            b[3, 4, 2] = 0.4
            # P2 left (malignant): a cancer in front and a wall too weak to clear (0.2 < 0.3).
            c = np.zeros(SHAPE)
            c[6, 3, 2] = 1.0
            c[:, 8:10, :] = 0.2
            for patient, side, uptake in (("P1", "left", a), ("P1", "right", b),
                                          ("P2", "left", c), ("P2", "right", np.zeros(SHAPE))):
                write_breast(pp / patient / side, uptake)
            points = {"P1": [("left", (5, 9, 1), "malignant", 10.0),
                             ("right", (3, 4, 2), "benign", 20.0)],
                      "P2": [("left", (6, 3, 2), "malignant", 30.0)]}
            cohort.mkdir()
            with open(cohort / "lesions.csv", "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(["patient_id", "x_mm", "y_mm", "z_mm", "label", "curve",
                            "diameter_mm", "kind"])
                for patient, rows in points.items():
                    for _, _, label, x in rows:
                        w.writerow([patient, x, 0, 0, label, "washout", 4.0, label])
            with open(cohort / "cohort.csv", "w", newline="") as f:
                f.write("patient_id,side,label\nP1,left,malignant\nP1,right,benign\n"
                        "P2,left,malignant\nP2,right,benign\n")
            for patient, rows in points.items():
                with open(pp / patient / "lesions.csv", "w", newline="") as f:
                    w = csv.writer(f)
                    w.writerow(["side", "i", "j", "k", "inside", "label", "x_mm", "y_mm", "z_mm"])
                    for side, (i, j, k), label, x in rows:
                        w.writerow([side, i, j, k, "yes", label, x, 0, 0])
            out = subprocess.run([sys.executable, str(HERE / "wall_lesions.py"), str(pp),
                                  str(cohort), "-v"], capture_output=True, text=True, check=True)
        lines = out.stdout.splitlines()
        # The cancer on the last rows is cleared whole: its 4 mm ball is the centre and its two
        # neighbours in x and the one in front (2 mm away); the one behind is outside the crop.
        self.assertIn("P1 left malignant (5, 9, 1) 4.0 mm: 100% of its ball cleared, centre "
                      "cleared", lines[0])
        # Three lesions inside; the wall is one piece of 12 x 2 x 4 = 96 voxels, 24 mm wide.
        self.assertIn("cohort: 3 lesions inside a breast, centre cleared 1, part cleared 0; "
                      "cleared pieces of >= 20 voxels without a lesion 1, no wider than 16 mm 0",
                      lines[1])
        # Cleared: malignant 6 and 0 (median 3), benign 96 and 0 (median 48). Fewer cleared
        # ranks the pairs (6|96) right, (6|0) wrong, (0|96) right, (0|0) tied: 2.5 / 4.
        self.assertIn("median malignant 3 / benign 48; breasts with none cleared 50% / 50%; "
                      "AUROC of fewer cleared 0.625, of peak uptake 1.000", lines[2])


if __name__ == "__main__":
    unittest.main()
