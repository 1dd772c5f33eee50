#pragma once
// Reading DICOM studies (DCMTK).
//
// Geometry: slices are ordered along the slice normal n = row cosine × column cosine of
// ImageOrientationPatient, by ImagePositionPatient · n (never by InstanceNumber). The volume
// is in LPS: origin = ImagePositionPatient of the first slice; direction columns = row cosine
// (index i, along a row), column cosine (index j, down the rows), n (index k); spacing =
// (PixelSpacing[1], PixelSpacing[0], mean distance between neighbouring slices along n).
// Slices must be evenly spaced within max(0.02 mm, 1 % of the mean gap) and must not drift
// sideways of n (gantry tilt); otherwise the read fails with GeometryMismatch / Unsupported.
// Voxels = stored value (BitsStored, sign from PixelRepresentation) × RescaleSlope +
// RescaleIntercept, as pydicom's pixel_array × slope + intercept. Multi-frame files are read
// frame by frame (enhanced per-frame functional groups, GridFrameOffsetVector, or
// SpacingBetweenSlices); colour, 1-bit and floating-point pixel data are Unsupported.
//
// Series assignment of readDicomStudy (the rule, also in DicomAssign.cpp):
//  1. Series that are not images of the study are ignored: Modality other than MR (when set),
//     ImageType containing LOCALIZER or SUBTRACT(ION), or a SeriesDescription with a word
//     starting "localizer", "scout", "survey" or "sub" (case-insensitive; see 2 for "word").
//  2. T2 candidates: SeriesDescription with a word starting "t2", "tse" or "stir" (case-
//     insensitive, not preceded by a letter or digit: "t2_tse_tra", "Ax T2W", "STIR" are,
//     "dyn_post2" is not), or EchoTime > 50 ms. The T2 series is the candidate named so by its
//     description first, then by EchoTime; among equals the one with most frames, then the lowest
//     SeriesNumber.
//  3. Dynamic phases, from the remaining series: a series with several temporal positions
//     (frames at the same slice position, told apart by TemporalPositionIdentifier, else
//     TriggerTime, else AcquisitionTime) gives one phase per position; the series with most
//     positions is used (unless it has fewer than five and five single-phase series exist).
//     Otherwise each single-phase series is one phase; when there are more
//     than five, those on the most common grid are kept. Phases are ordered by AcquisitionTime
//     (else TriggerTime, else SeriesNumber); the first is pre, the next four post1-post4;
//     extra phases are ignored and reported.
//  4. StudyReadOptions::t2Series / dynamicSeries (SeriesInstanceUID or SeriesNumber) override
//     steps 2 and 3: five dynamic series are taken in the order given, one series is split into
//     its temporal positions; series forced as dynamic are never taken as T2.
//  5. Fewer than five phases, no T2, or a multi-phase series whose positions hold unequal
//     numbers of frames: IoError MissingChannel / GeometryMismatch naming the folder.
//  T2 and any post phase on another grid are resampled (linear) onto the pre grid.
//  StudyMetadata::report lists every series found and what it was assigned to.

#include "breastmsc/io/Progress.h"
#include "breastmsc/io/Study.h"
#include "breastmsc/io/StudyReader.h"

#include <cmath>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace bmsc::io {

/// One DICOM series as found on disk (no pixel data read).
struct DicomSeriesInfo {
    std::string seriesInstanceUid;
    std::string seriesNumber;
    std::string seriesDescription;
    std::string modality;
    std::vector<std::filesystem::path> files;
    int temporalPositions = 1;  ///< distinct temporal positions among the files
    std::size_t frames = 0;     ///< 2D frames in all files (a multi-frame file counts each)
    int rows = 0;
    int columns = 0;
    double echoTimeMs = NAN;  ///< EchoTime of the first file (NaN if absent)
};

/// Scans a folder (any nesting, any file names) and groups DICOM image files by series.
/// Files that are not DICOM are ignored; a folder without any DICOM image is an error
/// (NotReadable); a file with the DICOM marker that cannot be parsed is Corrupt.
std::vector<DicomSeriesInfo> scanDicomFolder(const std::filesystem::path& folder,
                                             Progress* progress = nullptr);

/// Reads a single DICOM series (or one file) as a 3D volume: slices ordered along the slice
/// normal, rescale slope/intercept applied, compressed transfer syntaxes decoded (RLE, JPEG,
/// JPEG-LS). Several frames at one position (a dynamic series) are a GeometryMismatch: read
/// those with readDicomStudy.
Volume readDicomVolume(const std::vector<std::filesystem::path>& files,
                       Progress* progress = nullptr);

/// Reads a DICOM study folder into a six-channel Study: finds the dynamic series (five
/// series, or one series with five temporal positions) and the T2 series, resamples T2 and any
/// phase on another grid onto the dynamic grid, and records what it found in metadata.report.
Study readDicomStudy(const std::filesystem::path& folder, const StudyReadOptions& options = {},
                     Progress* progress = nullptr);

}  // namespace bmsc::io
