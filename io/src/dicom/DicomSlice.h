#pragma once
// Private: what the DICOM reader knows about one image frame before its pixels are read.

#include "breastmsc/io/Geometry.h"

#include <array>
#include <cmath>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace bmsc::io::detail {

/// One 2D frame of a DICOM image file: a single-frame file gives one, a multi-frame file one
/// per frame. Numbers the file does not carry are NaN (or empty optionals).
struct DicomSlice {
    std::filesystem::path file;
    int frame = 0;       ///< index of the frame inside `file`
    int frameCount = 1;  ///< NumberOfFrames of `file`

    std::string patientId;
    std::string studyInstanceUid;
    std::string studyDate;
    std::string studyDescription;
    std::string seriesInstanceUid;
    std::string seriesNumber;
    std::string seriesDescription;
    std::string modality;
    std::string imageType;

    int rows = 0;
    int columns = 0;
    int instanceNumber = 0;
    bool hasPosition = false;
    bool hasOrientation = false;
    bool hasPixelSpacing = false;
    Vec3 position{0, 0, 0};                               ///< ImagePositionPatient (LPS mm)
    std::array<double, 6> orientation{1, 0, 0, 0, 1, 0};  ///< row cosine, column cosine
    std::array<double, 2> pixelSpacing{1, 1};  ///< DICOM order: between rows, between columns
    double sliceThickness = NAN;
    double spacingBetweenSlices = NAN;
    double rescaleSlope = 1.0;  ///< RescaleSlope (per frame for enhanced multi-frame files)
    double rescaleIntercept = 0.0;

    std::optional<long> temporalPosition;  ///< TemporalPositionIdentifier / TemporalPositionIndex
    double triggerTimeMs = NAN;            ///< TriggerTime (0018,1060)
    double acquisitionTimeS = NAN;         ///< AcquisitionTime, seconds after midnight
    double echoTimeMs = NAN;
    double repetitionTimeMs = NAN;

    /// Unit normal of the slice plane: row cosine × column cosine.
    Vec3 normal() const noexcept;
    /// Position along the normal (mm): ImagePositionPatient · normal.
    double positionAlongNormal() const noexcept;
};

/// Whether `file` begins as a DICOM file does: the Part 10 preamble and "DICM", or (old files
/// without a preamble) a tag of group 0002 or 0008 in either byte order.
bool looksLikeDicom(const std::filesystem::path& file);

/// Reads the header of `file` without its pixel data. Returns nothing when the file is not a
/// DICOM image (not DICOM at all, or DICOM without pixel data such as a report or DICOMDIR);
/// throws IoError(Corrupt) when it looks like DICOM (the "DICM" marker) but cannot be parsed.
std::vector<DicomSlice> readDicomSliceHeaders(const std::filesystem::path& file);

/// "HHMMSS.frac" or "HH:MM:SS.frac" → seconds after midnight; NaN when malformed.
double parseDicomTime(const std::string& text);

}  // namespace bmsc::io::detail
