"""Reference reader for the image-file tests: what nibabel reads from a NIfTI file.

Usage: nibabel_dump.py FILE RAW_OUT
Writes the voxels (scaled as nibabel's get_fdata does) as float64, x fastest, to RAW_OUT and
prints the shape and the affine converted from RAS to LPS as JSON.
"""
import json
import sys

import nibabel as nib
import numpy as np

image = nib.load(sys.argv[1])
data = np.asarray(image.get_fdata(), dtype=np.float64)
data.ravel(order="F").tofile(sys.argv[2])
affine = np.array(image.affine, dtype=np.float64)
affine[0:2, :] *= -1.0  # RAS -> LPS
print(json.dumps({"shape": list(data.shape), "affine": affine.tolist()}))
