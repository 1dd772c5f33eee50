#!/usr/bin/python3
"""peak_rules.py's rules on a made-up breast whose peaks are placed by hand.

    /usr/bin/python3 tests/bench/ml/test_peak_rules.py
"""

import json
import pathlib
import subprocess
import sys
import tempfile
import unittest

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import peak_rules  # noqa: E402

SHAPE = (16, 16, 4)


def breast():
    """pre 0.5; post1 - pre: 0.1 background, a one-voxel spike of 3.0 at (2, 3, 1), a 3 x 3 blob
    of 1.0 centred at (10, 6, 2) with 1.5 at its centre, and 4.0 on the last row at (8, 15, 0)."""
    v = np.full((6,) + SHAPE, 0.5, dtype=np.float32)
    v[1:5] += 0.1
    v[1:5, 2, 3, 1] = 0.5 + 3.0
    v[1:5, 9:12, 5:8, 2] = 0.5 + 1.0
    v[1:5, 10, 6, 2] = 0.5 + 1.5
    v[1:5, 8, 15, 0] = 0.5 + 4.0
    v[4, 10, 6, 2] = 0.5 + 1.2  # washout at the blob's centre: post4 below post1
    v[5] = 0.3
    return v


class PeakRules(unittest.TestCase):
    def test_each_rule_finds_its_voxel(self):
        v = breast()
        self.assertEqual(peak_rules.peak_voxel(v, peak_rules.RULES["raw"]), (8, 15, 0))
        # Leaving out the last 6 rows: the spike inside the breast.
        self.assertEqual(peak_rules.peak_voxel(v, peak_rules.RULES["cut6"]), (2, 3, 1))
        # A 3 x 3 minimum keeps only the blob (its centre is the one voxel whose whole
        # neighbourhood is the blob).
        self.assertEqual(peak_rules.peak_voxel(v, peak_rules.RULES["min331"]), (10, 6, 2))

    def test_wall_leaves_out_what_reaches_the_last_row(self):
        v = breast()
        wall = peak_rules.RULES["wall20"]
        # The last row's 4.0 is left out (a run of one), so the spike inside the breast wins.
        self.assertEqual(peak_rules.peak_voxel(v, wall), (2, 3, 1))
        # A brighter voxel joined to it from the front belongs to the same run: left out too.
        v[1:5, 8, 14, 0] = 0.5 + 3.8
        self.assertEqual(peak_rules.peak_voxel(v, wall), (2, 3, 1))
        # A lesion three rows from the end with background behind it is kept (cut6 loses it).
        v[1:5, 5, 12, 1] = 0.5 + 3.5
        self.assertEqual(peak_rules.peak_voxel(v, wall), (5, 12, 1))
        self.assertEqual(peak_rules.peak_voxel(v, peak_rules.RULES["cut6"]), (2, 3, 1))
        self.assertEqual(peak_rules.peak_voxel(v, peak_rules.RULES["raw"]), (8, 15, 0))

    def test_curve_is_pre_the_subtractions_and_t2(self):
        v = breast()
        curve = peak_rules.curve_at(v, (10, 6, 2))
        np.testing.assert_allclose(curve, [0.5, 1.5, 1.5, 1.5, 1.2, 0.3], rtol=1e-6)

    def test_bad_cache_names_the_folder(self):
        with tempfile.TemporaryDirectory() as root:
            cache = pathlib.Path(root) / "cache"
            cache.mkdir()
            (cache / "index.json").write_text(json.dumps({"breasts": [{"file": "gone.f32"}]}))
            r = subprocess.run([sys.executable, peak_rules.__file__, f"c={cache}"],
                               capture_output=True, text=True)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn(str(cache), r.stderr)


if __name__ == "__main__":
    unittest.main()
