#!/usr/bin/env python3
"""Reference reader for the DICOM tests: what pydicom reads from the given files.

Prints JSON: {"values": [...], "size": [nx, ny, nz], "origin": [...], "spacing": [...],
"direction": [9 values, row-major, columns = axis directions]} for the files given as one
volume (slices sorted along the normal, frames of multi-frame files included). Values are
pixel_array * RescaleSlope + RescaleIntercept (as float), x fastest.
`--datadirs` prints the pydicom and nibabel test data folders instead; `--batch JSON` takes
{name: [files...]} and prints {name: result} (one interpreter start for many volumes).
"""
import json
import os
import sys

import numpy as np
import pydicom


def frames_of(path):
    ds = pydicom.dcmread(path)
    arr = ds.pixel_array
    nframes = int(getattr(ds, "NumberOfFrames", 1) or 1)
    if nframes == 1:
        arr = arr[np.newaxis, ...]
    slope = float(getattr(ds, "RescaleSlope", 1) or 1)
    intercept = float(getattr(ds, "RescaleIntercept", 0) or 0)
    iop = [float(v) for v in ds.ImageOrientationPatient]
    ipp = np.array([float(v) for v in ds.ImagePositionPatient])
    row, col = np.array(iop[:3]), np.array(iop[3:])
    normal = np.cross(row, col)
    normal /= np.linalg.norm(normal)
    offsets = [0.0] * nframes
    if nframes > 1:
        offsets = [float(v) for v in ds.GridFrameOffsetVector]
    out = []
    for f in range(nframes):
        values = arr[f].astype(np.float64) * slope + intercept
        out.append((ipp + offsets[f] * normal, values, iop,
                    [float(v) for v in ds.PixelSpacing], ds))
    return out


def data_dirs():
    import nibabel
    return {
        "pydicom": os.path.join(os.path.dirname(pydicom.__file__), "data", "test_files"),
        "nibabel": os.path.join(os.path.dirname(nibabel.__file__), "tests", "data"),
    }


def main():
    if sys.argv[1] == "--datadirs":
        print(json.dumps(data_dirs()))
    elif sys.argv[1] == "--batch":
        jobs = json.loads(sys.argv[2])
        print(json.dumps({name: reference(files) for name, files in jobs.items()}))
    else:
        print(json.dumps(reference(sys.argv[1:])))


def reference(paths):
    slices = []
    for path in paths:
        slices.extend(frames_of(path))
    iop = slices[0][2]
    row, col = np.array(iop[:3]), np.array(iop[3:])
    normal = np.cross(row, col)
    normal /= np.linalg.norm(normal)
    slices.sort(key=lambda s: float(np.dot(s[0], normal)))
    along = [float(np.dot(s[0], normal)) for s in slices]
    ps = slices[0][3]
    if len(slices) > 1:
        dz = (along[-1] - along[0]) / (len(slices) - 1)
    else:
        ds = slices[0][4]
        dz = float(getattr(ds, "SpacingBetweenSlices", 0) or getattr(ds, "SliceThickness", 0) or 1)
    volume = np.stack([s[1] for s in slices])  # (z, y, x): x fastest when flattened
    direction = np.column_stack([row, col, normal])
    return {
        "size": [int(volume.shape[2]), int(volume.shape[1]), int(volume.shape[0])],
        "origin": [float(v) for v in slices[0][0]],
        "spacing": [ps[1], ps[0], dz],
        "direction": [float(v) for v in direction.reshape(-1)],
        "values": [float(v) for v in volume.reshape(-1)],
    }


if __name__ == "__main__":
    main()
