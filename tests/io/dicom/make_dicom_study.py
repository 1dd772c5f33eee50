#!/usr/bin/env python3
"""Writes a small synthetic breast DCE-MRI DICOM study with pydicom, for the reader's tests
and benchmark. Deliberately awkward: random file names in nested folders, InstanceNumber in
the wrong order, SeriesNumbers out of time order, non-DICOM files beside the images.

Voxel values (stored integers, RescaleSlope 1, RescaleIntercept -100 on dynamic series):
  dynamic phase p (0 = pre): 1000 * p + 7 * i + 3 * j + 11 * k  (i column, j row, k slice)
  T2: 2000 + 5 i + 7 j + 13 k on its own (coarser) grid: affine in physical space, so a
      linear resampling onto the dynamic grid reproduces it inside the T2 field of view.
Prints JSON describing what it wrote (series UIDs, numbers, geometry) on stdout.
"""
import argparse
import datetime
import json
import os
import random
import sys

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian, MRImageStorage, \
    ExplicitVRBigEndian, generate_uid

ANGLE = np.deg2rad(12.0)  # oblique about the x axis, so the normal is not the z axis
ROW = np.array([1.0, 0.0, 0.0])
COL = np.array([0.0, np.cos(ANGLE), np.sin(ANGLE)])
NORMAL = np.cross(ROW, COL)
ORIGIN = np.array([-40.0, -30.0, 10.0])


def time_text(seconds):
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return "%02d%02d%09.6f" % (h, m, s)


def geometry(size, spacing):
    nx, ny, nz = size
    return {"size": list(size), "spacing": list(spacing), "origin": list(ORIGIN),
            "direction": [float(v) for v in np.column_stack([ROW, COL, NORMAL]).reshape(-1)]}


def base_dataset(args, study_uid, series_uid, number, description):
    ds = Dataset()
    ds.PatientID = args.patient
    ds.PatientName = "Synthetic^Reader"
    ds.StudyInstanceUID = study_uid
    ds.StudyDate = "20240131"
    ds.StudyDescription = "MR BREAST DCE"
    ds.SeriesInstanceUID = series_uid
    ds.SeriesNumber = number
    ds.SeriesDescription = description
    ds.Modality = "MR"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "M", "ND"]
    ds.SOPClassUID = MRImageStorage
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = 16
    ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 0
    ds.ImageOrientationPatient = [float(v) for v in np.concatenate([ROW, COL])]
    return ds


class Writer:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.files = []
        self.syntax = {"explicit": ExplicitVRLittleEndian, "implicit": ImplicitVRLittleEndian,
                       "bigendian": ExplicitVRBigEndian}[args.syntax]

    def path(self):
        depth = self.rng.randint(0, 3)
        parts = ["d%02x" % self.rng.randint(0, 6) for _ in range(depth)]
        folder = os.path.join(self.args.out, *parts)
        os.makedirs(folder, exist_ok=True)
        name = "%016x" % self.rng.getrandbits(64)
        if self.rng.random() < 0.3:
            name += ".dcm"
        return os.path.join(folder, name)

    def write(self, ds, pixels, rows=None):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = ds.SOPClassUID
        ds.SOPInstanceUID = generate_uid()
        meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        meta.TransferSyntaxUID = self.syntax
        ds.file_meta = meta
        ds.is_little_endian = self.syntax != ExplicitVRBigEndian
        ds.is_implicit_VR = self.syntax == ImplicitVRLittleEndian
        ds.Rows, ds.Columns = (rows, pixels.shape[1]) if rows else pixels.shape
        data = pixels.astype("<u2" if ds.is_little_endian else ">u2")
        ds.PixelData = data.tobytes()
        path = self.path()
        ds.save_as(path, write_like_original=False)
        self.files.append(path)


def dynamic_slice(p, k, nx, ny):
    j, i = np.mgrid[0:ny, 0:nx]
    return 1000 * p + 7 * i + 3 * j + 11 * k


def t2_slice(k, size):
    nx, ny, _ = size
    j, i = np.mgrid[0:ny, 0:nx]
    return 2000 + 5 * i + 7 * j + 13 * k


def item(**values):
    ds = Dataset()
    for key, value in values.items():
        setattr(ds, key, value)
    return ds


def write_enhanced(w, ds, args, start, phase_times):
    """All phases as frames of one enhanced MR file, frames in shuffled order; geometry,
    rescale and timing only in the functional groups."""
    nx, ny, nz = args.size
    sx, sy, sz = args.spacing
    del ds.ImageOrientationPatient
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.4.1"  # Enhanced MR Image Storage
    frames = [(p, k) for p in range(args.phases) for k in range(nz)]
    w.rng.shuffle(frames)
    ds.NumberOfFrames = len(frames)
    ds.SharedFunctionalGroupsSequence = [item(
        PixelMeasuresSequence=[item(PixelSpacing=[sy, sx], SliceThickness=sz)],
        PlaneOrientationSequence=[item(
            ImageOrientationPatient=[float(v) for v in np.concatenate([ROW, COL])])],
        PixelValueTransformationSequence=[item(RescaleSlope=1, RescaleIntercept=-100,
                                               RescaleType="US")],
    )]
    per_frame = []
    for p, k in frames:
        when = datetime.datetime(2024, 1, 31) + datetime.timedelta(
            seconds=start + phase_times[p] + 0.01 * k)
        per_frame.append(item(
            PlanePositionSequence=[item(
                ImagePositionPatient=[float(v) for v in ORIGIN + NORMAL * k * sz])],
            FrameContentSequence=[item(
                TemporalPositionIndex=p + 1,
                FrameAcquisitionDateTime=when.strftime("%Y%m%d%H%M%S.%f"))],
        ))
    ds.PerFrameFunctionalGroupsSequence = per_frame
    pixels = np.concatenate([dynamic_slice(p, k, nx, ny) for p, k in frames], axis=0)
    w.write(ds, pixels, rows=ny)


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--mode", choices=["five", "single", "enhanced"],
                        default="five",
                        help="five series, one series with temporal positions, or one "
                             "enhanced multi-frame file holding all phases")
    parser.add_argument("--size", type=int, nargs=3, default=[24, 20, 8])
    parser.add_argument("--spacing", type=float, nargs=3, default=[1.5, 1.25, 3.0])
    parser.add_argument("--t2-size", type=int, nargs=3, default=[12, 10, 4])
    parser.add_argument("--t2-description", default="t2_tse_tra")
    parser.add_argument("--t2-echo", type=float, default=90.0)
    parser.add_argument("--no-t2", action="store_true")
    parser.add_argument("--phases", type=int, default=5)
    parser.add_argument("--temporal-key", choices=["tpi", "trigger", "acq"], default="tpi")
    parser.add_argument("--drop-frame", action="store_true",
                        help="single mode: leave one frame of the last phase out")
    parser.add_argument("--post-slices", type=int, default=0,
                        help="five mode: post2 gets this many slices (another grid)")
    parser.add_argument("--skip-slice", type=int, default=-1,
                        help="five mode: the pre series lacks this slice (uneven spacing)")
    parser.add_argument("--extras", action="store_true",
                        help="add a localizer, a subtraction and a diffusion series that the "
                             "reader must not take (all acquired before the pre phase)")
    parser.add_argument("--syntax", choices=["explicit", "implicit", "bigendian"],
                        default="explicit")
    parser.add_argument("--patient", default="SYN-001")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    w = Writer(args)
    study_uid = generate_uid()
    nx, ny, nz = args.size
    sx, sy, sz = args.spacing
    start = 10 * 3600 + 5 * 60  # 10:05:00
    phase_times = [0.0] + [75.0 + 90.0 * p for p in range(args.phases - 1)]
    described = {"study": study_uid, "series": [], "phaseTimes": phase_times,
                 "dynamic": geometry(args.size, args.spacing)}
    # SeriesNumbers deliberately not in time order.
    numbers = [5, 3, 8, 4, 6, 9, 10, 11][: args.phases]

    def write_phase_slices(ds, p, count, uid, tpi):
        order = list(range(count))
        w.rng.shuffle(order)
        for rank, k in enumerate(order):
            if args.mode == "five" and p == 0 and k == args.skip_slice:
                continue
            s = ds.copy()
            s.InstanceNumber = count - k if rank % 2 == 0 else rank + 1  # wrong on purpose
            s.ImagePositionPatient = [float(v) for v in ORIGIN + NORMAL * k * sz]
            s.PixelSpacing = [sy, sx]  # row spacing (between rows) \ column spacing
            s.SliceThickness = sz
            s.EchoTime = 2.5
            s.RepetitionTime = 5.1
            t = start + phase_times[p] + 0.01 * k
            if tpi:
                s.TemporalPositionIdentifier = p + 1
                s.NumberOfTemporalPositions = args.phases
            if args.mode == "single" and args.temporal_key in ("tpi", "trigger"):
                s.TriggerTime = phase_times[p] * 1000.0
            s.AcquisitionTime = time_text(t)
            s.RescaleSlope = 1
            s.RescaleIntercept = -100
            w.write(s, dynamic_slice(p, k, nx, ny))

    if args.mode == "five":
        for p in range(args.phases):
            uid = generate_uid()
            desc = "dyn_pre" if p == 0 else "dyn_post%d" % p
            count = args.post_slices if (p == 2 and args.post_slices) else nz
            ds = base_dataset(args, study_uid, uid, numbers[p], desc)
            write_phase_slices(ds, p, count, uid, False)
            described["series"].append({"uid": uid, "number": numbers[p], "phase": p,
                                         "description": desc})
    elif args.mode == "enhanced":
        uid = generate_uid()
        write_enhanced(w, base_dataset(args, study_uid, uid, 7, "fl3d_dynamic"), args,
                       start, phase_times)
        described["series"].append({"uid": uid, "number": 7, "phase": -1,
                                    "description": "fl3d_dynamic"})
    else:
        uid = generate_uid()
        ds = base_dataset(args, study_uid, uid, 7, "fl3d_dynamic")
        for p in range(args.phases):
            count = nz - 1 if (args.drop_frame and p == args.phases - 1) else nz
            write_phase_slices(ds, p, count, uid, args.temporal_key == "tpi")
        described["series"].append({"uid": uid, "number": 7, "phase": -1,
                                    "description": "fl3d_dynamic"})

    if not args.no_t2:
        uid = generate_uid()
        tx, ty, tz = args.t2_size
        tsp = [sx * nx / tx, sy * ny / ty, sz * nz / tz]
        ds = base_dataset(args, study_uid, uid, 2, args.t2_description)
        for k in range(tz):
            s = ds.copy()
            s.InstanceNumber = tz - k
            s.ImagePositionPatient = [float(v) for v in ORIGIN + NORMAL * k * tsp[2]]
            s.PixelSpacing = [tsp[1], tsp[0]]
            s.SliceThickness = tsp[2]
            s.EchoTime = args.t2_echo
            s.RepetitionTime = 4000.0
            s.AcquisitionTime = time_text(start - 600 + k)
            w.write(s, t2_slice(k, args.t2_size))
        described["series"].append({"uid": uid, "number": 2, "phase": "t2",
                                    "description": args.t2_description})
        described["t2"] = geometry(args.t2_size, tsp)

    if args.extras:
        extras = [("localizer", 1, [nx, ny, 3], ["ORIGINAL", "PRIMARY", "LOCALIZER"], 2.0),
                  ("dyn_sub_post1", 12, [nx, ny, nz], ["DERIVED", "SECONDARY"], 2.5),
                  ("ep2d_diff_adc", 13, [nx // 2, ny // 2, nz], ["DERIVED", "PRIMARY"], 45.0)]
        for description, number, (ex, ey, ez), image_type, echo in extras:
            uid = generate_uid()
            ds = base_dataset(args, study_uid, uid, number, description)
            ds.ImageType = image_type
            for k in range(ez):
                s = ds.copy()
                s.InstanceNumber = k + 1
                s.ImagePositionPatient = [float(v) for v in ORIGIN + NORMAL * k * sz]
                s.PixelSpacing = [sy * ny / ey, sx * nx / ex]
                s.EchoTime = echo
                s.AcquisitionTime = time_text(start - 300 + k)
                w.write(s, dynamic_slice(7, k, ex, ey))
            described["series"].append({"uid": uid, "number": number, "phase": "extra",
                                        "description": description})

    # Things that are not DICOM images.
    with open(os.path.join(args.out, "README.txt"), "w") as f:
        f.write("not a DICOM file\n")
    with open(os.path.join(args.out, "DICOMDIR.bak"), "wb") as f:
        f.write(bytes(w.rng.getrandbits(8) for _ in range(300)))
    described["files"] = len(w.files)
    return described


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--batch":
        # Several studies in one run (saves interpreter start-ups): a JSON object
        # {name: [arguments...]}; prints {name: description}.
        jobs = json.loads(sys.argv[2])
        print(json.dumps({name: main(arguments) for name, arguments in jobs.items()}))
    else:
        print(json.dumps(main()))
