"""Checks a DICOM study written by BreastMSC's writer against the volumes it was written from.

Usage: verify_dicom.py STUDY_FOLDER MANIFEST.json
The manifest lists the expected series (description, volumes as raw float32 files with their
geometry, echo/repetition time, whether the series has temporal positions). Prints one line per
problem starting with FAIL and exits 1 if there is any; prints "ALL OK" otherwise.
"""
import json
import os
import re
import sys

import numpy as np
import pydicom

folder, manifest_path = sys.argv[1], sys.argv[2]
manifest = json.load(open(manifest_path))
problems = []


def fail(message):
    problems.append(message)
    print("FAIL " + message)


uid_pattern = re.compile(r"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$")
series = {}
study_uids, frame_uids, sop_uids = set(), set(), set()
for root, _, files in os.walk(folder):
    for name in files:
        ds = pydicom.dcmread(os.path.join(root, name))
        series.setdefault(ds.SeriesInstanceUID, []).append(ds)
        study_uids.add(ds.StudyInstanceUID)
        frame_uids.add(ds.FrameOfReferenceUID)
        for uid in (ds.SOPInstanceUID, ds.SeriesInstanceUID, ds.StudyInstanceUID):
            if len(uid) > 64 or not uid_pattern.match(uid):
                fail("invalid UID " + uid)
        if ds.SOPInstanceUID in sop_uids:
            fail("duplicate SOPInstanceUID " + ds.SOPInstanceUID)
        sop_uids.add(ds.SOPInstanceUID)
        if ds.SOPClassUID != "1.2.840.10008.5.1.4.1.1.4" or ds.Modality != "MR":
            fail(name + ": not MR Image Storage")
        if ds.file_meta.TransferSyntaxUID != "1.2.840.10008.1.2.1":
            fail(name + ": not explicit VR little endian")
        if ds.PatientID != manifest["patient_id"]:
            fail(name + ": PatientID " + ds.PatientID)
        if ds.BitsAllocated != 16 or ds.PixelRepresentation != 0:
            fail(name + ": not 16-bit unsigned")

if len(study_uids) != 1 or len(frame_uids) != 1:
    fail("expected one study and one frame of reference, got %d and %d"
         % (len(study_uids), len(frame_uids)))
if manifest.get("study_uid") and study_uids != {manifest["study_uid"]}:
    fail("StudyInstanceUID is not the study's: %s" % study_uids)

by_description = {}
for uid, files in series.items():
    by_description[str(files[0].SeriesDescription)] = files
if sorted(by_description) != sorted(s["description"] for s in manifest["series"]):
    fail("series %s, expected %s" % (sorted(by_description),
                                     sorted(s["description"] for s in manifest["series"])))

max_error = 0.0
for expected in manifest["series"]:
    files = by_description.get(expected["description"])
    if files is None:
        continue
    volumes = expected["volumes"]
    if len(files) != sum(v["size"][2] for v in volumes):
        fail("%s: %d files" % (expected["description"], len(files)))
        continue
    temporal = len(volumes) > 1
    groups = {}
    for ds in files:
        t = int(ds.TemporalPositionIdentifier) if temporal else 1
        if temporal and int(ds.NumberOfTemporalPositions) != len(volumes):
            fail("NumberOfTemporalPositions %s" % ds.NumberOfTemporalPositions)
        groups.setdefault(t, []).append(ds)
    if sorted(groups) != list(range(1, len(volumes) + 1)):
        fail("%s: temporal positions %s" % (expected["description"], sorted(groups)))
        continue
    times = []
    for t, v in enumerate(volumes, start=1):
        g = groups[t]
        d = np.array(v["direction"], dtype=float).reshape(3, 3)
        spacing = np.array(v["spacing"], dtype=float)
        origin = np.array(v["origin"], dtype=float)
        nx, ny, nz = v["size"]
        normal = np.cross(d[:, 0], d[:, 1])
        g.sort(key=lambda ds: float(np.dot(np.array(ds.ImagePositionPatient, dtype=float), normal)))
        if len(g) != nz:
            fail("%s t%d: %d slices" % (expected["description"], t, len(g)))
            continue
        ref = np.fromfile(v["raw"], dtype=np.float32).reshape(nz, ny, nx)
        times.append(str(g[0].AcquisitionTime))
        for k, ds in enumerate(g):
            where = "%s t%d k%d" % (expected["description"], t, k)
            ipp = origin + d @ (spacing * np.array([0, 0, k]))
            if np.abs(np.array(ds.ImagePositionPatient, dtype=float) - ipp).max() > 1e-3:
                fail(where + ": ImagePositionPatient %s, expected %s" % (ds.ImagePositionPatient, ipp))
            iop = np.array(ds.ImageOrientationPatient, dtype=float)
            if np.abs(iop - np.concatenate([d[:, 0], d[:, 1]])).max() > 1e-6:
                fail(where + ": ImageOrientationPatient %s" % iop)
            ps = np.array(ds.PixelSpacing, dtype=float)
            if np.abs(ps - [spacing[1], spacing[0]]).max() > 1e-6:
                fail(where + ": PixelSpacing %s" % ps)
            if abs(float(ds.SliceThickness) - spacing[2]) > 1e-6 or \
                    abs(float(ds.SpacingBetweenSlices) - spacing[2]) > 1e-6:
                fail(where + ": SliceThickness/SpacingBetweenSlices")
            if (ds.Rows, ds.Columns) != (ny, nx):
                fail(where + ": rows/columns")
            if abs(float(ds.EchoTime) - expected["te"]) > 1e-6 or \
                    abs(float(ds.RepetitionTime) - expected["tr"]) > 1e-6:
                fail(where + ": EchoTime/RepetitionTime")
            slope = float(getattr(ds, "RescaleSlope", 1.0))
            intercept = float(getattr(ds, "RescaleIntercept", 0.0))
            values = ds.pixel_array.astype(np.float64) * slope + intercept
            error = np.abs(values - ref[k]).max()
            max_error = max(max_error, error)
            if error > expected["tolerance"]:
                fail(where + ": voxel error %g > %g" % (error, expected["tolerance"]))
            if expected["exact"] and error != 0:
                fail(where + ": integer voxels not exact")
    if temporal and len(set(times)) != len(volumes):
        fail("%s: AcquisitionTime not distinct per phase: %s" % (expected["description"], times))

print("max voxel error %g" % max_error)
if problems:
    sys.exit(1)
print("ALL OK")
